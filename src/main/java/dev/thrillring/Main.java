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
            case "serve" -> serve(List.of(args).subList(Math.min(1, args.length), args.length));
            case "rules" -> System.exit(new RulesCommand(System.out).run(List.of(args).subList(1, args.length)));
            case "help", "--help", "-h" -> usage(0);
            default -> {
                System.err.println("unknown command: " + command);
                usage(2);
            }
        }
    }

    private static void serve(List<String> options) throws InterruptedException {
        for (String o : options) {
            if (!o.equals("--demo")) {
                System.err.println("unknown option for serve: " + o);
                usage(2);
            }
        }
        boolean demo = options.contains("--demo") || Boolean.parseBoolean(System.getenv().getOrDefault("THRILLRING_DEMO", "false").trim());
        Server server;
        try {
            Config config = Config.fromEnv(System.getenv());
            server = Server.start(config, dev.thrillring.app.OperationsConfig.fromEnv(System.getenv()));
            if (demo) welcome(config, server.startDemo(java.time.Duration.ofSeconds(1), DEMO_TICKS));
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

    /** Six hours of the demo's one-second ticks, then it stops by itself. */
    private static final long DEMO_TICKS = 6 * 3600;

    private static void welcome(Config config, dev.thrillring.demo.DemoMode.Started demo) {
        StringBuilder sb = new StringBuilder("""

                ==================================================================
                DEMO MODE: sample tenants named demo-..., fed a few facts a second for 6 hours.
                Console: %s/console
                Sign in with a demo tenant's admin key (shown once; a new start issues new ones):
                """.formatted(config.publicUrl()));
        for (var t : demo.tenants()) sb.append("    %-18s %-10s %s%n".formatted(t.name(), t.platform(), t.adminKey()));
        sb.append("==================================================================");
        System.out.println(sb);
    }

    private static void usage(int status) {
        System.out.println("""
                usage: java -jar thrillring.jar [command]
                  serve [--demo]            run the service (default); configuration from the environment, see README;
                                            --demo (or THRILLRING_DEMO=true) adds sample tenants fed with facts
                  rules validate DIR [--base DIR]   compile the DRL files and decision tables under DIR
                  rules test DIR [--base DIR]       ... and run its *.scenario.json files
                  help     this text""");
        System.exit(status);
    }
}
