package dev.thrillring.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps uploaded rules inside the fact model and the outcome API. Tenants upload code that runs
 * in our process; without this check an upload is remote code execution. The check runs on DRL
 * text (decision tables are checked as the DRL they compile to): imports and globals must be on
 * an allow-list, and code may not name the JVM's dangerous classes, reflection, the engine's own
 * runtime, or any fully qualified class outside a few value packages.
 */
public final class RuleSafety {

    /** A line (1-based, of the checked text) and what is wrong there. */
    public record Violation(int line, String message) {}

    private static final Set<String> ALLOWED_IMPORTS = Set.of(
            "dev.thrillring.engine.model.Fact", "dev.thrillring.engine.model.SubjectState",
            "dev.thrillring.engine.model.Outcomes", "dev.thrillring.engine.model.Outcome",
            "java.lang.Math", "java.math.BigDecimal", "java.math.BigInteger");
    /** java.util and java.time classes are plain values and collections, except these. */
    private static final Set<String> DENIED_UTIL = Set.of("ServiceLoader", "Timer", "TimerTask", "Scanner", "Properties", "ResourceBundle");

    private static final Set<String> DENIED_NAMES = Set.of(
            // the JVM and the operating system
            "System", "Runtime", "Process", "ProcessBuilder", "ProcessHandle", "SecurityManager", "StackWalker",
            "Thread", "ThreadGroup", "ThreadLocal", "InheritableThreadLocal", "Executors", "ExecutorService",
            "CompletableFuture", "ForkJoinPool", "Timer", "Module", "ModuleLayer", "Unsafe",
            // class loading and reflection
            "Class", "ClassLoader", "Method", "Field", "Constructor", "Proxy", "MethodHandles", "MethodHandle",
            "getClass", "forName", "getClassLoader", "getDeclaredField", "getDeclaredFields", "getDeclaredMethod",
            "getDeclaredMethods", "getDeclaredConstructor", "getDeclaredConstructors", "getMethod", "getMethods",
            "getField", "getFields", "getConstructor", "getConstructors", "newInstance", "setAccessible", "invoke",
            "loadLibrary", "exec", "exit", "halt",
            // files and network
            "File", "Files", "Path", "Paths", "FileInputStream", "FileOutputStream", "FileReader", "FileWriter",
            "RandomAccessFile", "Socket", "ServerSocket", "DatagramSocket", "URL", "URI", "URLClassLoader",
            "HttpClient", "HttpURLConnection", "InetAddress", "ObjectInputStream", "ObjectOutputStream",
            // scripting and the engine's own runtime
            "ScriptEngine", "ScriptEngineManager", "MVEL", "drools", "kcontext", "getKieRuntime",
            "getKnowledgeRuntime", "getWorkingMemory", "getKieBase", "enterRule", "flushStateChanges",
            // java.util classes that reach outside (a wildcard import would make them visible)
            "ServiceLoader", "Scanner", "Properties", "ResourceBundle", "TimerTask");

    private static final Pattern IDENT = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Pattern IMPORT = Pattern.compile("\\bimport\\s+(function\\s+|static\\s+)?([\\w.$]+(?:\\.\\*)?)");
    private static final Pattern GLOBAL = Pattern.compile("\\bglobal\\s+([\\w.$]+)\\s+(\\w+)");
    private static final Pattern QUALIFIED = Pattern.compile("\\b(java|javax|jdk|sun|com|org|net|io|kotlin|groovy|scala)\\s*\\.\\s*([\\w.\\s]*?)([A-Z][\\w$]*)");
    private static final Pattern CLASS_LITERAL = Pattern.compile("\\.\\s*class\\b");
    private static final Pattern TIMER = Pattern.compile("\\b(timer|calendars)\\s*\\(");

    private RuleSafety() {}

    /** Every violation in {@code drl}; empty when it is safe to compile and run. */
    public static List<Violation> check(String drl) {
        List<Violation> out = new ArrayList<>();
        if (drl.contains("\\u")) {
            out.add(new Violation(lineOf(drl, drl.indexOf("\\u")), "unicode escapes are not allowed in rules"));
        }
        String code = stripCommentsAndStrings(drl);

        Matcher m = IMPORT.matcher(code);
        while (m.find()) {
            String target = m.group(2);
            if (m.group(1) != null) out.add(new Violation(lineOf(code, m.start()), "function and static imports are not allowed: " + target));
            else if (!importAllowed(target)) out.add(new Violation(lineOf(code, m.start()), "import not allowed: " + target
                    + " (rules may use dev.thrillring.engine.model, java.util, java.time, java.math and java.lang.Math)"));
        }
        m = GLOBAL.matcher(code);
        while (m.find()) {
            String type = m.group(1);
            if (!type.equals("dev.thrillring.engine.model.Outcomes") && !type.equals("Outcomes")) {
                out.add(new Violation(lineOf(code, m.start()), "global of type " + type + " is not allowed; the one global is 'outcomes'"));
            }
        }
        m = QUALIFIED.matcher(code);
        while (m.find()) {
            if (insideImport(code, m.start())) continue;
            String name = (m.group(1) + "." + m.group(2) + m.group(3)).replaceAll("\\s", "");
            if (!qualifiedAllowed(name)) out.add(new Violation(lineOf(code, m.start()), "class not allowed in rules: " + name));
        }
        m = CLASS_LITERAL.matcher(code);
        while (m.find()) out.add(new Violation(lineOf(code, m.start()), "class literals are not allowed in rules"));
        m = TIMER.matcher(code);
        while (m.find()) out.add(new Violation(lineOf(code, m.start()), "timers and calendars are not allowed in rules"));
        m = IDENT.matcher(code);
        while (m.find()) {
            if (DENIED_NAMES.contains(m.group()) && !insideImport(code, m.start())) {
                out.add(new Violation(lineOf(code, m.start()), "'" + m.group() + "' is not allowed in rules"));
            }
        }
        return out;
    }

    private static boolean importAllowed(String target) {
        if (ALLOWED_IMPORTS.contains(target) || target.equals("dev.thrillring.engine.model.*")) return true;
        return qualifiedAllowed(target) && !target.endsWith(".*") || target.equals("java.time.*") || target.equals("java.util.*");
    }

    private static boolean qualifiedAllowed(String name) {
        if (ALLOWED_IMPORTS.contains(name)) return true;
        if (name.startsWith("java.time.")) return name.indexOf('.', "java.time.".length()) < 0 || name.startsWith("java.time.format.")
                || name.startsWith("java.time.temporal.");
        if (name.startsWith("java.util.")) {
            String rest = name.substring("java.util.".length());
            return rest.indexOf('.') < 0 && !DENIED_UTIL.contains(rest);
        }
        return false;
    }

    private static boolean insideImport(String code, int pos) {
        int lineStart = code.lastIndexOf('\n', pos) + 1;
        Matcher m = IMPORT.matcher(code);
        m.region(lineStart, Math.min(code.length(), code.indexOf('\n', pos) < 0 ? code.length() : code.indexOf('\n', pos)));
        while (m.find()) if (m.start() <= pos && pos < m.end()) return true;
        return false;
    }

    private static int lineOf(String text, int pos) {
        int line = 1;
        for (int i = 0; i < pos && i < text.length(); i++) if (text.charAt(i) == '\n') line++;
        return line;
    }

    /** Blanks out comments and string or character literals, keeping line breaks in place. */
    static String stripCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
            if (c == '/' && next == '/') {
                while (i < s.length() && s.charAt(i) != '\n') { out.append(' '); i++; }
            } else if (c == '/' && next == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
                for (; i < end; i++) out.append(s.charAt(i) == '\n' ? '\n' : ' ');
            } else if (c == '"' || c == '\'') {
                out.append(' ');
                i++;
                while (i < s.length() && s.charAt(i) != c && s.charAt(i) != '\n') {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) { out.append(' '); i++; }
                    out.append(' ');
                    i++;
                }
                if (i < s.length()) { out.append(s.charAt(i) == '\n' ? '\n' : ' '); i++; }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
