package dev.thrillring;

import dev.thrillring.app.Config;
import dev.thrillring.app.Server;

import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar thrillring.jar [serve]} runs the service until it is stopped.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        String command = args.length == 0 ? "serve" : args[0];
        switch (command) {
            case "serve" -> serve();
            case "help", "--help", "-h" -> usage(0);
            default -> {
                System.err.println("unknown command: " + command);
                usage(2);
            }
        }
    }

    private static void serve() throws InterruptedException {
        Server server;
        try {
            server = Server.start(Config.fromEnv(System.getenv()));
        } catch (RuntimeException e) {
            System.err.println("ThrillRing could not start: " + e.getMessage());
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("start failure", e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }

    private static void usage(int status) {
        System.out.println("""
                usage: java -jar thrillring.jar [command]
                  serve    run the service (default); configuration from the environment, see README
                  help     this text""");
        System.exit(status);
    }
}
