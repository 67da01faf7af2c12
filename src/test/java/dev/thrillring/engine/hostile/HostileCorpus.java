package dev.thrillring.engine.hostile;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.thrillring.engine.hostile.Tables.FACT;
import static dev.thrillring.engine.hostile.Tables.OUTCOMES;

/**
 * The hostile uploads, one row each: its name (what it tries), the construct word(s) its refusal
 * must name (case-insensitive, {@code |} separates alternatives), who uploads it, the file, and
 * its content. {@code @MARK@} in a content stands for a marker file the attempt would create,
 * {@code @SECRET@} for a file holding a secret it would read.
 *
 * <p>THE TABLE OF EXPECTED WORDS is the second column of {@link #ALL}; adjust it there.
 */
final class HostileCorpus {
    private HostileCorpus() {}

    enum Role { TENANT_ADMIN, ANALYST, PLATFORM_ADMIN }

    /** Where the refusal must point: a DRL line, a table cell (and sheet for workbooks), or just the file. */
    enum Where { LINE, CELL, FILE }

    /** Paths one attempt may name: the marker it would create and the secret it would read. */
    record Marks(Path marker, Path secret) {
        String fill(String s) {
            return s.replace("@MARK@", marker.toString()).replace("@SECRET@", secret.toString());
        }
    }

    /**
     * One hostile upload. {@code run}: when an unfixed server accepts it, the suite dry-runs it to
     * show what it does; false for attempts that would hang or stop the test JVM.
     */
    record Attempt(String name, String words, Role role, String file, Where where, String sheet, boolean run,
                   Function<Marks, byte[]> content) {
        List<String> wordList() { return List.of(words.split("\\|")); }

        boolean table() { return !file.endsWith(".drl"); }

        @Override public String toString() { return name; }
    }

    // --- DRL building blocks -------------------------------------------------------------------

    static final String TQ = "\"\"\"";
    /** A backslash-u, written so that this source file holds no unicode escape itself. */
    static final String U = "\\" + "u";
    static final String HEAD = "package hostile;\nimport dev.thrillring.engine.model.Fact;\n"
            + "import dev.thrillring.engine.model.SubjectState;\nglobal dev.thrillring.engine.model.Outcomes outcomes;\n";

    static final String FORMATTER = "new java.util.Formatter(\"@MARK@\").close();";
    static final String THAI = "java.util.Locale.setDefault(java.util.Locale.forLanguageTag(\"th-TH-u-nu-thai\"));";
    static final String CHATHAM = "java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone(\"Pacific/Chatham\"));";
    static final String SLEEPY_THREAD = "new Thread(() -> { try { Thread.sleep(3000); } catch (Exception e) { } }, \"hostile-thread\").start();";

    static String rule(String attributes, String when, String then) {
        return HEAD + "\nrule \"probe\"" + (attributes.isEmpty() ? "" : " " + attributes) + "\nwhen\n    " + when
                + "\nthen\n    " + then + "\nend\n";
    }

    static String then(String code) { return rule("", "$f : Fact()", code); }

    static String mvel(String code) { return rule("dialect \"mvel\"", "$f : Fact()", code); }

    // --- constructors of rows ------------------------------------------------------------------

    static Attempt drl(String name, String words, Role role, String text) {
        return new Attempt(name, words, role, name + ".drl", Where.LINE, null, true, m -> utf8(m.fill(text)));
    }

    /** A DRL attempt that is never run even if accepted (it would hang or stop the JVM). */
    static Attempt drlNoRun(String name, String words, Role role, String text) {
        return new Attempt(name, words, role, name + ".drl", Where.LINE, null, false, m -> utf8(m.fill(text)));
    }

    static Attempt csv(String name, String words, Role role, Where where, String[][] rows) {
        return new Attempt(name, words, role, name + ".drl.csv", where, null, true, m -> Tables.csv(fill(m, rows)));
    }

    static Attempt csvNoRun(String name, String words, Role role, Where where, String[][] rows) {
        return new Attempt(name, words, role, name + ".drl.csv", where, null, false, m -> Tables.csv(fill(m, rows)));
    }

    static Attempt xlsx(String name, String words, Role role, Where where, String[][] rows) {
        return new Attempt(name, words, role, name + ".drl.xlsx", where, where == Where.CELL ? "Rules" : null, true,
                m -> Tables.xlsx("Rules", fill(m, rows)));
    }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static String[][] fill(Marks m, String[][] rows) {
        String[][] out = new String[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r].clone();
            for (int c = 0; c < out[r].length; c++) out[r][c] = m.fill(out[r][c]);
        }
        return out;
    }

    static final Role TA = Role.TENANT_ADMIN, AN = Role.ANALYST, PA = Role.PLATFORM_ADMIN;

    /** A 125 KB file of identifiers after {@code import}: quadratic for the old regular expressions. */
    static String manyIdentifiersAfterImport() {
        return "package hostile;\nimport " + "io.a ".repeat(25_000) + ";\n";
    }

    /** A 125 KB constraint of nested parentheses. */
    static String deepParentheses() {
        return HEAD + "rule \"probe\"\nwhen\n    Fact(" + "(".repeat(62_000) + "type == \"x\"" + ")".repeat(62_000) + ")\nthen\nend\n";
    }

    /** An XLSX whose first sheet is harmless and whose second sheet declares a function. */
    static Attempt xlsxSecondSheetHidesFunction() {
        return new Attempt("xlsxSecondSheetHidesFunction", "function", TA, "xlsxSecondSheetHidesFunction.drl.xlsx", Where.FILE, null, true, m -> {
            Map<String, String[][]> sheets = new LinkedHashMap<>();
            sheets.put("Harmless", Tables.simple("hostile.one", FACT, OUTCOMES, "outcomes.points($param, \"x\");", "a", "1"));
            sheets.put("Hidden", Tables.concat(new String[][]{{"RuleSet", "hostile.two"}, {"Import", FACT}, {"Variables", OUTCOMES},
                    {"Functions", "function String hidden() { " + FORMATTER + " return \"x\"; }"}, {""}},
                    new String[][]{{"RuleTable Probe"}, {"CONDITION", "ACTION"}, {"Fact", ""},
                            {"type == \"$param\"", "outcomes.points(1, hidden());"}, {"Fact type", "Action"}, {"b", "x"}}));
            return Tables.xlsx(fill(m, sheets));
        });
    }

    static Map<String, String[][]> fill(Marks m, Map<String, String[][]> sheets) {
        Map<String, String[][]> out = new LinkedHashMap<>();
        sheets.forEach((k, v) -> out.put(k, fill(m, v)));
        return out;
    }

    /** Rows of a table with one extra column of type {@code code} (METADATA, TIMER, ...) next to the action. */
    static String[][] withColumn(String code, String template, String value) {
        return Tables.concat(Tables.header("hostile", FACT, OUTCOMES), new String[][]{
                {"RuleTable Probe"},
                {"CONDITION", "ACTION", code},
                {"Fact", "", ""},
                {"type == \"$param\"", "outcomes.points($param, \"x\");", template},
                {"Fact type", "Points", "Extra"},
                {"hostile.probe", "1", value}});
    }

    static String[][] keyword(String keyword, String value) {
        return Tables.concat(new String[][]{{"RuleSet", "hostile"}, {"Import", FACT}, {"Variables", OUTCOMES}, {keyword, value}, {""}},
                new String[][]{{"RuleTable Probe"}, {"CONDITION", "ACTION"}, {"Fact", ""},
                        {"type == \"$param\"", "outcomes.points($param, \"x\");"}, {"Fact type", "Points"}, {"hostile.probe", "1"}});
    }

    /** A condition cell closing the template's string: neutral while EscapeQuotes is on (the default). */
    static final String INJECTED_NEW = "no.match\" || new java.util.Formatter(\"@MARK@\") == null || type == \"";
    /** An action cell for {@code outcomes.points($param, "x");} that needs no quote to inject statements. */
    static final String INJECTED_STATEMENT = "1, null); java.util.Locale.setDefault(java.util.Locale.KOREA); outcomes.points(1";
    /** Changes the default locale without a quote (cells' quotes are escaped by default). */
    static final String KOREA = "java.util.Locale.setDefault(java.util.Locale.KOREA);";
    /** Changes the default time zone without a quote. */
    static final String PLUS13 = "java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone(java.time.ZoneOffset.ofHours(13)));";

    /** Every attempt. Second column: the word(s) the refusal must contain. */
    static final List<Attempt> ALL = List.of(
            // Java text blocks hiding code from a token check
            drl("textBlockHidesGetenv", "text block|static call|statement", TA,
                    then("String s = " + TQ + "\n    x" + TQ + " + System.getenv(\"PATH\");\n    outcomes.points(1, s);")),
            drl("textBlockHidesEnvironmentMap", "text block|static call", AN,
                    then("outcomes.points(1, " + TQ + "\n    x" + TQ + " + System.getenv());")),
            drl("textBlockHidesUserHome", "text block|static call", PA,
                    then("outcomes.points(1, " + TQ + "\n    x" + TQ + " + System.getProperty(\"user.home\"));")),
            drl("textBlockHidesSetProperty", "text block|static call|statement", TA,
                    then("String s = " + TQ + "\n    x" + TQ + " + System.setProperty(\"thrillring.hostile.tb\", \"1\");\n    outcomes.points(1, \"x\");")),
            drl("textBlockHidesNewFile", "text block|new|statement", AN,
                    then("String s = " + TQ + "\n    x" + TQ + " + new java.io.File(\"@MARK@\").createNewFile();\n    outcomes.points(1, \"x\");")),
            drl("textBlockHidesThreadStart", "text block|new|lambda", PA,
                    then("String s = " + TQ + "\n    x" + TQ + "; " + SLEEPY_THREAD + "\n    outcomes.points(1, \"x\");")),
            drl("textBlockHidesFileRead", "text block|static call|new", TA,
                    then("outcomes.points(1, " + TQ + "\n    x" + TQ + " + new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of(\"@SECRET@\"))));")),

            // unicode escapes
            drl("unicodeEscapedQuotesHideGetenv", "unicode escape", AN,
                    then("outcomes.points(1, \"" + U + "0022 + System.getenv(" + U + "0022PATH" + U + "0022) + " + U + "0022\");")),
            drl("unicodeEscapedSystemName", "unicode escape", PA,
                    then(U + "0053ystem.setProperty(\"thrillring.hostile.ue\", \"1\");")),
            drl("unicodeEscapeWithManyUs", "unicode escape", TA,
                    then("outcomes.points(1, \"\" + " + U + "uuu0053ystem.getProperty(\"user.home\"));")),
            drl("unicodeEscapedNewlineEndsComment", "unicode escape", AN,
                    then("// a note " + U + "000a System.setProperty(\"thrillring.hostile.nl\", \"1\");\n    outcomes.points(1, \"x\");")),
            drl("unicodeEscapeInImport", "unicode escape|import", PA,
                    "package hostile;\nimport java.io." + U + "0046ile;\nimport dev.thrillring.engine.model.Fact;\n"
                            + "global dev.thrillring.engine.model.Outcomes outcomes;\nrule \"probe\" when Fact() then outcomes.points(1, \"x\"); end\n"),

            // ignorable characters inside identifiers
            drl("zeroWidthSpaceInsideSystem", "character", TA,
                    then("Sys\u200Btem.setProperty(\"thrillring.hostile.zw\", \"1\");\n    outcomes.points(1, \"x\");")),
            drl("softHyphenInsideSystem", "character", AN,
                    then("outcomes.points(1, \"\" + Sys\u00ADtem.getProperty(\"user.home\"));")),
            drl("byteOrderMarkInsideSystem", "character", PA,
                    then("outcomes.points(1, \"\" + Sys\uFEFFtem.getenv(\"PATH\"));")),
            drl("controlCharacterInsideSystem", "character", TA,
                    then("Sys\u0001tem.setProperty(\"thrillring.hostile.cc\", \"1\");\n    outcomes.points(1, \"x\");")),

            // a lone CR ending a line comment
            drl("loneCrEndsCommentInConsequence", "character|static call", AN,
                    then("// a harmless note\r    System.setProperty(\"thrillring.hostile.cr\", \"1\");\n    outcomes.points(1, \"x\");")),
            drl("loneCrEndsCommentBeforeImport", "character|import|new", PA,
                    "package hostile;\n// note\rimport java.io.File;\nimport dev.thrillring.engine.model.Fact;\n"
                            + "global dev.thrillring.engine.model.Outcomes outcomes;\nrule \"probe\" when Fact() then\n"
                            + "    // note\r    new File(\"@MARK@\").createNewFile();\nend\n"),

            // spaced or commented qualified names
            drl("spacedQualifiedSystem", "static call|statement", TA,
                    then("java . lang . System . setProperty(\"thrillring.hostile.sp\", \"1\");")),
            drl("commentedQualifiedSystem", "static call|property access", AN,
                    then("outcomes.points(1, \"\" + java /**/ . lang /**/ . System.getProperty(\"user.home\"));")),
            drl("lineBrokenQualifiedPrintWriter", "new", PA,
                    then("new java\n        .io\n        .PrintWriter(\"@MARK@\").close();")),

            // class literals, getClass() and reflection
            drl("classLiteralName", "class literal", TA, then("outcomes.points(1, String.class.getName());")),
            drl("classLiteralCommented", "class literal", AN,
                    then("outcomes.points(1, Fact /* a */ . /* b */ class.getProtectionDomain().toString());")),
            drl("classLiteralInCondition", "class literal", PA, rule("", "Fact(type == String.class.getSimpleName())", "outcomes.points(1, \"x\");")),
            drl("getClassOnFact", "method", TA, then("outcomes.points(1, $f.getClass().getClassLoader().toString());")),
            drl("classPropertyInConstraint", "class literal|method|name|syntax", AN,
                    rule("", "Fact(class.simpleName != \"\")", "outcomes.points(1, \"x\");")),
            drl("reflectionForName", "static call|name", PA, then("outcomes.points(1, Class.forName(\"java.lang.Runtime\").getName());")),
            drl("reflectionMethodHandles", "static call|property access", TA, then("outcomes.points(1, java.lang.invoke.MethodHandles.lookup().toString());")),

            // new of anything
            drl("newFormatterCreatesFile", "new", TA, then(FORMATTER + "\n    outcomes.points(1, \"x\");")),
            drl("newFileCreatesMarker", "new", AN, then("new java.io.File(\"@MARK@\").createNewFile();")),
            drl("newThreadStarts", "new|lambda", PA, then(SLEEPY_THREAD)),
            drl("newArrayList", "new|statement", TA, then("java.util.List l = new java.util.ArrayList();\n    outcomes.points(l.size(), \"x\");")),
            drl("newStringBuilder", "new", AN, then("outcomes.points(1, new StringBuilder(\"x\").toString());")),
            drl("newInCondition", "new", PA, rule("", "Fact(type == new String(\"hostile.probe\"))", "outcomes.points(1, \"x\");")),
            drl("anonymousClassSetsLocale", "new|statement", TA,
                    then("Runnable r = new Runnable() { public void run() { " + THAI + " } };\n    r.run();")),

            // static calls
            drl("getenvInReason", "static call|property access", AN, then("outcomes.points(1, java.lang.System.getenv(\"PATH\"));")),
            drl("userHomeInReason", "static call|name", PA, then("outcomes.points(1, System.getProperty(\"user.home\"));")),
            drl("localeSetDefault", "static call|statement", TA, then(THAI + "\n    outcomes.points(1, \"x\");")),
            drl("timeZoneSetDefault", "static call|statement", AN, then(CHATHAM + "\n    outcomes.points(1, \"x\");")),
            drl("longGetLongReadsProperty", "static call|name", PA,
                    then("outcomes.points(1, String.valueOf(Long.getLong(\"thrillring.hostile.secret\")));")),
            drl("collectionsStaticCall", "static call|property access", TA, then("outcomes.points(java.util.Collections.nCopies(3, \"x\").size(), \"x\");")),

            // metadata evaluated while compiling
            drl("metadataCreatesFileInDraft", "metadata", AN,
                    rule("@note(new java.util.Formatter(\"@MARK@\"))", "Fact()", "outcomes.points(1, \"x\");")),
            drl("metadataRunsInUploadRefusedForCompileError", "metadata", TA,
                    rule("@note(new java.util.Formatter(\"@MARK@\"))", "Fact(nosuch == 1)", "outcomes.points(1, \"x\");")),
            drl("metadataChangesTimeZone", "metadata", PA,
                    rule("@note(java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone(\"Pacific/Chatham\")))", "Fact()",
                            "outcomes.points(1, \"x\");")),

            // MVEL dialect and MVEL property access
            drl("mvelClassProperty", "dialect|class literal", TA, mvel("outcomes.points(1, $f.class.name);")),
            drl("mvelClassLoaderProperty", "dialect|method", AN, mvel("outcomes.points(1, \"\" + $f.getClass().classLoader);")),
            drl("mvelFactClassLiteral", "dialect|class literal", PA, mvel("outcomes.points(1, Fact.class.name);")),
            drl("mvelDroolsRuntime", "dialect|name", TA, mvel("outcomes.points(1, \"\" + drools.kieRuntime);")),
            drl("mvelKcontext", "dialect|name", AN, mvel("outcomes.points(1, \"\" + kcontext.kieRuntime.kieBase);")),
            drl("mvelWorkingMemory", "dialect|name", PA, mvel("outcomes.points(1, \"\" + drools.workingMemory);")),
            drl("mvelNewCreatesFile", "dialect|new", TA, mvel("new java.util.Formatter(\"@MARK@\").close();")),
            drl("mvelStaticSetsLocale", "dialect|static call", AN, mvel(THAI)),
            drl("packageDialectMvel", "dialect|static call", PA,
                    HEAD.replace("package hostile;\n", "package hostile;\ndialect \"mvel\"\n")
                            + "rule \"probe\" when Fact() then " + CHATHAM + " end\n"),

            // packages named after org.mvel2, java.io or the service's own packages
            drl("packageNamedOrgMvel2", "package", TA,
                    then("new MVELInterpretedRuntime(\"new java.util.Formatter('@MARK@').close()\", null, null).parse();")
                            .replace("package hostile;", "package org.mvel2;")),
            drl("packageNamedJavaIo", "package", AN, then("new PrintWriter(\"@MARK@\").close();").replace("package hostile;", "package java.io;")),
            drl("packageNamedAfterTheEngine", "package|name|property access", PA,
                    then("outcomes.points(RuleEngine.MAX_FIRINGS, \"x\");").replace("package hostile;", "package dev.thrillring.engine;")),

            // imports
            drl("importJavaIoFile", "import", TA, "package hostile;\nimport java.io.File;\n" + HEAD.substring("package hostile;\n".length())
                    + "rule \"probe\" when Fact() then new File(\"@MARK@\").createNewFile(); end\n"),
            drl("importJavaUtilFormatter", "import", AN, "package hostile;\nimport java.util.Formatter;\n" + HEAD.substring("package hostile;\n".length())
                    + "rule \"probe\" when Fact() then new Formatter(\"@MARK@\").close(); end\n"),
            drl("importJavaUtilWildcard", "import", PA, "package hostile;\nimport java.util.*;\n" + HEAD.substring("package hostile;\n".length())
                    + "rule \"probe\" when Fact() then Locale.setDefault(Locale.forLanguageTag(\"th-TH-u-nu-thai\")); end\n"),
            drl("importStaticGetenv", "import", TA, "package hostile;\nimport static java.lang.System.getenv;\n" + HEAD.substring("package hostile;\n".length())
                    + "rule \"probe\" when Fact() then outcomes.points(1, getenv(\"PATH\")); end\n"),
            drl("importFunctionGetenv", "import|function", AN, "package hostile;\nimport function java.lang.System.getenv;\n"
                    + HEAD.substring("package hostile;\n".length()) + "rule \"probe\" when Fact() then outcomes.points(1, getenv(\"PATH\")); end\n"),
            drl("importAccumulateFunction", "import|accumulate", PA, "package hostile;\n"
                    + "import accumulate org.drools.core.base.accumulators.CountAccumulateFunction hostileCount;\n"
                    + HEAD.substring("package hostile;\n".length()) + "rule \"probe\" when Number() from accumulate(Fact(), hostileCount(1)) then end\n"),

            // accumulate with custom code
            drl("accumulateInitCreatesFile", "accumulate", TA, rule("",
                    "$n : Number() from accumulate(Fact(), init(int c = 0; " + FORMATTER + "), action(c++;), reverse(c--;), result(c))",
                    "outcomes.points(1, \"x\");")),
            drl("accumulateActionSetsLocale", "accumulate", AN, rule("",
                    "$n : Number() from accumulate(Fact(), init(int c = 0;), action(" + THAI + " c++;), result(c))",
                    "outcomes.points(1, \"x\");")),
            drl("accumulateUnknownFunction", "accumulate|function", PA, rule("",
                    "$n : Number() from accumulate(Fact(), hostileFunction(1))", "outcomes.points(1, \"x\");")),

            // function, query, declare
            drl("drlFunction", "function", AN, HEAD + "function String greet() { return \"x\"; }\n"
                    + "rule \"probe\" when Fact() then outcomes.points(1, greet()); end\n"),
            drl("drlFunctionCreatesFile", "function", PA, HEAD + "function String greet() { " + FORMATTER + " return \"x\"; }\n"
                    + "rule \"probe\" when Fact() then outcomes.points(1, greet()); end\n"),
            drl("drlQuery", "query", TA, HEAD + "query \"every fact\"\n    $f : Fact()\nend\n"),
            drl("drlDeclareType", "declare", AN, HEAD + "declare Hostile\n    name : String\nend\n"),
            drl("drlDeclareEnum", "declare", PA, HEAD + "declare enum HostileEnum\n    A, B;\nend\n"),

            // globals
            drl("foreignGlobal", "global", TA, HEAD + "global java.util.List sink;\n"),
            drl("genericGlobalType", "global", AN, HEAD + "global java.util.Map<String, Object> sink;\n"
                    + "rule \"probe\" when Fact() then outcomes.points(1, \"x\"); end\n"),
            drl("secondOutcomesGlobal", "global", PA, HEAD + "global dev.thrillring.engine.model.Outcomes other;\n"),

            // timers, calendars, durations, enabled, salience, from, eval
            drl("timerInterval", "timer", TA, rule("timer (int: 1s 1s)", "Fact()", "outcomes.points(1, \"x\");")),
            drl("calendarsAttribute", "calendar", AN, rule("calendars \"weekdays\"", "Fact()", "outcomes.points(1, \"x\");")),
            drl("durationAttribute", "duration", PA, rule("duration 1000", "Fact()", "outcomes.points(1, \"x\");")),
            drl("enabledExpressionCreatesFile", "enabled", TA,
                    rule("enabled (new java.util.Formatter(\"@MARK@\") != null)", "Fact()", "outcomes.points(1, \"x\");")),
            drl("dynamicSalienceCreatesFile", "salience", AN,
                    rule("salience (new java.util.Formatter(\"@MARK@\").toString().length())", "Fact()", "outcomes.points(1, \"x\");")),
            drl("fromNewCreatesFile", "from|new", PA, rule("", "$x : Object() from new java.util.Formatter(\"@MARK@\")", "outcomes.points(1, \"x\");")),
            drl("fromStaticCall", "from|static call", TA, rule("", "$c : String() from java.util.Locale.getISOCountries()", "outcomes.points(1, $c);")),
            drl("evalCreatesFile", "eval", AN, rule("", "Fact()\n    eval(new java.util.Formatter(\"@MARK@\") != null)", "outcomes.points(1, \"x\");")),

            // a consequence breaking out of its method to add members
            drl("consequenceAddsStaticInitializer", "syntax|statement", PA,
                    then("outcomes.points(1, \"x\");\n    }\n    static { " + THAI + " }\n    public void hostileTail() {")),
            drl("staticStateKeptBetweenEvaluations", "syntax|statement", TA,
                    then("outcomes.points(++kept, \"x\");\n    }\n    static int kept;\n    public void hostileTail() {")),

            // loops, lambdas, method references
            drl("whileLoop", "loop", AN, then("int i = 0;\n    while (i < 3) { i++; }\n    outcomes.points(i, \"x\");")),
            drl("forLoop", "loop", PA, then("for (int i = 0; i < 3; i++) { outcomes.points(1, \"x\"); }")),
            drl("doWhileLoop", "loop", TA, then("int i = 0;\n    do { i++; } while (i < 3);\n    outcomes.points(i, \"x\");")),
            drl("lambdaRunnable", "lambda|statement", AN, then("Runnable r = () -> { " + THAI + " };\n    r.run();")),
            drl("methodReference", "method reference|statement", PA, then("java.util.List.of(\"badge-a\", \"badge-b\").forEach(outcomes::unlock);")),

            // exhaustion refused at upload (never run: they would hang)
            drlNoRun("infiniteWhileLoop", "loop", TA, then("while (true) { }")),
            drlNoRun("infiniteForLoop", "loop", AN, then("for (;;) { }")),
            drlNoRun("threadSleep", "static call|statement", PA, then("Thread.sleep(60000);")),
            drlNoRun("objectWaitOnOutcomes", "statement|method", TA, then("synchronized (outcomes) { outcomes.wait(60000); }")),
            drlNoRun("manyIdentifiersAfterImport125KB", "import|syntax|name", AN, manyIdentifiersAfterImport()),
            drlNoRun("deepParentheses125KB", "syntax|nest", PA, deepParentheses()),

            // decision tables as CSV
            csv("csvFunctionsKeyword", "function", PA, Where.FILE, keyword("Functions", "function String greet() { " + FORMATTER + " return \"x\"; }")),
            csv("csvImportJavaIoFile", "import", TA, Where.FILE, Tables.simple("hostile", FACT + ", java.io.File", OUTCOMES,
                    "new File(\"@MARK@\").createNewFile();", "hostile.probe", "x")),
            csv("csvVariablesSecondGlobal", "global", AN, Where.FILE, Tables.simple("hostile", FACT, OUTCOMES + ", java.util.List sink",
                    "outcomes.points($param, \"x\");", "hostile.probe", "1")),
            csv("csvParamInjectsStatements", "static call|statement", TA, Where.CELL, Tables.simple("hostile", FACT, OUTCOMES,
                    "outcomes.points($param, \"x\");", "hostile.probe", INJECTED_STATEMENT)),
            csv("csvEscapeQuotesOffParamInjectsNew", "new", AN, Where.CELL, Tables.concat(
                    new String[][]{{"RuleSet", "hostile"}, {"Import", FACT}, {"Variables", OUTCOMES}, {"EscapeQuotes", "false"}, {""}},
                    new String[][]{{"RuleTable Probe"}, {"CONDITION", "ACTION"}, {"Fact", ""},
                            {"type == \"$param\"", "outcomes.points($param, \"x\");"}, {"Fact type", "Points"}, {INJECTED_NEW, "1"}})),
            csvNoRun("csvParamInjectsSystemExit", "static call|name", AN, Where.CELL, Tables.unescaped(Tables.simple("hostile", FACT, OUTCOMES,
                    "outcomes.points($param, \"x\");", "x\" || System.exit(0) || \"", "1"))),
            csv("csvRuleSetCellSmugglesImport", "package|import", PA, Where.FILE, Tables.simple("hostile; import java.io.File;", FACT, OUTCOMES,
                    "new File(\"@MARK@\").createNewFile();", "hostile.probe", "x")),
            csv("csvMetadataColumnSetsLocale", "metadata", TA, Where.CELL, withColumn("METADATA", "note($param)",
                    KOREA.replace(";", ""))),
            csv("csvQueriesKeyword", "query", AN, Where.FILE, keyword("Queries", "query \"every fact\" $f : Fact() end")),
            csv("csvDeclareKeyword", "declare", PA, Where.FILE, keyword("Declare", "declare Hostile name : String end")),
            csv("csvActionCellSetsLocale", "static call|statement", TA, Where.CELL, Tables.simple("hostile", FACT, OUTCOMES, "$param", "hostile.probe", KOREA)),
            csv("csvTimerColumn", "timer", AN, Where.CELL, withColumn("TIMER", "", "int: 1s 1s")),
            csv("csvDurationColumn", "duration", PA, Where.CELL, withColumn("DURATION", "", "1000")),
            csv("csvSalienceColumnExpression", "salience", TA, Where.CELL, withColumn("PRIORITY", "",
                    "(new java.util.Formatter(\"@MARK@\").toString().length())")),
            csv("csvDialectMvel", "dialect|static call", AN, Where.FILE, Tables.concat(
                    new String[][]{{"RuleSet", "hostile"}, {"Import", FACT}, {"Variables", OUTCOMES}, {"Dialect", "mvel"}, {""}},
                    new String[][]{{"RuleTable Probe"}, {"CONDITION", "ACTION"}, {"Fact", ""}, {"type == \"$param\"", "$param"},
                            {"Fact type", "Action"}, {"hostile.probe", PLUS13}})),

            // decision tables as XLSX
            xlsx("xlsxFunctionsKeyword", "function", TA, Where.FILE, keyword("Functions", "function String greet() { " + FORMATTER + " return \"x\"; }")),
            xlsx("xlsxImportJavaIoFile", "import", PA, Where.FILE, Tables.simple("hostile", FACT + ", java.io.File", OUTCOMES,
                    "new File(\"@MARK@\").createNewFile();", "hostile.probe", "x")),
            xlsx("xlsxVariablesGenericGlobal", "global", AN, Where.FILE, Tables.simple("hostile", FACT, OUTCOMES + ", java.util.List<java.io.File> files",
                    "outcomes.points($param, \"x\");", "hostile.probe", "1")),
            xlsx("xlsxParamInjectsStatements", "static call|statement", TA, Where.CELL, Tables.simple("hostile", FACT, OUTCOMES,
                    "outcomes.points($param, \"x\");", "hostile.probe", INJECTED_STATEMENT)),
            xlsx("xlsxMetadataColumnCreatesFile", "metadata", AN, Where.CELL, Tables.unescaped(withColumn("METADATA", "note($param)",
                    "new java.util.Formatter(\"@MARK@\")"))),
            xlsx("xlsxActionCellChangesTimeZone", "static call|statement", PA, Where.CELL, Tables.simple("hostile", FACT, OUTCOMES, "$param",
                    "hostile.probe", PLUS13)),
            xlsx("xlsxQueriesKeyword", "query", AN, Where.FILE, keyword("Queries", "query \"every fact\" $f : Fact() end")),
            xlsx("xlsxDeclareKeyword", "declare", PA, Where.FILE, keyword("Declare", "declare Hostile name : String end")),
            xlsx("xlsxTextBlockInActionCell", "text block|static call", TA, Where.CELL, Tables.unescaped(Tables.simple("hostile", FACT, OUTCOMES,
                    "$param", "hostile.probe", "outcomes.points(1, " + TQ + "\n    x" + TQ + " + System.getProperty(\"user.home\"));"))),
            xlsxSecondSheetHidesFunction());
}
