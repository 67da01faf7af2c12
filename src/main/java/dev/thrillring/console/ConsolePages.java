package dev.thrillring.console;

/** Names shared by the console's request handling. */
final class ConsolePages {
    /** The request attribute holding the problem a failure page shows. */
    static final String PROBLEM = "thrillring.console.problem";

    private ConsolePages() {}
}
