package dev.thrillring;

import dev.thrillring.app.Config;
import dev.thrillring.app.Server;

import dev.thrillring.engine.RulesCommand;

import java.util.List;
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
            case "rules" -> System.exit(new RulesCommand(System.out).run(List.of(args).subList(1, args.length)));
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
            server = Server.start(Config.fromEnv(System.getenv()), dev.thrillring.app.OperationsConfig.fromEnv(System.getenv()));
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
                  serve                     run the service (default); configuration from the environment, see README
                  rules validate DIR [--base DIR]   compile the DRL files and decision tables under DIR
                  rules test DIR [--base DIR]       ... and run its *.scenario.json files
                  help     this text""");
        System.exit(status);
    }
}
