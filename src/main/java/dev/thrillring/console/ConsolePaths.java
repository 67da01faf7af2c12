package dev.thrillring.console;

/** Where the console lives. */
final class ConsolePaths {
    static final String ROOT = "/console";

    private ConsolePaths() {}

    static boolean isConsole(String path) {
        return path.equals(ROOT) || path.startsWith(ROOT + "/");
    }
}
