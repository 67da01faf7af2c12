package dev.thrillring.console;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** What the console's templates render (src/main/jte/console); every string goes through jte's HTML escaping. */
public final class ConsoleViews {
    private ConsoleViews() {}

    /**
     * The frame of every signed-in page: who is signed in, the form token, the tenant being looked
     * at (null on the platform overview) and which of its pages is open, and what the role may do.
     */
    public record Frame(String title, String csrf, String who, String role, String tenantId, String tenantName,
                        String active, boolean admin, boolean author, boolean platformAdmin) {
        /** The path of a tenant page. */
        public String tenantPath(String rest) { return ConsolePaths.ROOT + "/tenants/" + tenantId + rest; }

        /** True on the pages of a tenant the demo mode created. */
        public boolean demo() { return dev.thrillring.demo.DemoMode.isDemo(tenantName); }
    }

    /** A platform and its tenants, for a platform admin's overview. */
    public record PlatformTenants(String platform, List<TenantRow> tenants) {}

    public record TenantRow(String tenantId, String name, String industry, String status, String createdAt) {
        /** True for a tenant the demo mode created. */
        public boolean demo() { return dev.thrillring.demo.DemoMode.isDemo(name); }
    }

    /** A tenant's overview. */
    public record Overview(String platform, String industry, String status, String createdAt, String liveVersion,
                           List<DecisionRow> recent, Long reviewWaiting) {}

    /** One decision: the fact, the rules that fired and what they decided. */
    public record DecisionRow(String factId, String userId, String type, String decidedAt, String ruleSetVersion,
                              List<String> firedRules, List<String> outcomes) {}

    /** One version of a rule set, with its history columns. */
    public record VersionRow(int version, String status, String author, String comment, String createdAt, String activatedAt,
                             List<String> files) {}

    /** An entry of the rule set audit log. */
    public record AuditRow(String at, String actor, String action, String target) {}

    /** A confirmation step before a change that goes live. */
    public record Confirm(String question, String detail, String action, String button, boolean danger, String back) {}

    /** The answer to a change: what happened, and the scenarios that ran first. */
    public record Outcome(String heading, String detail, List<String> scenarios, String back, String backLabel) {}

    /** A dry run's input and, once run, each fact's fired rules and outcomes. */
    public record TryIt(String facts, String version, List<String> versions, String ruleSetVersion, List<DryRow> results,
                        String error, String action) {}

    public record DryRow(String type, String userId, List<String> firedRules, List<String> outcomes) {}

    /** A review queue page: the conversions as the API answers them. */
    public record Review(JsonNode queue, String nextCursor, long total) {}

    /** A board as the API answers it, and what to poll for updates. */
    public record Board(String type, String timePeriod, JsonNode board, List<String> types) {}

    /** A grid column: its header and meaning, the input it gets (number, select, text) with its bounds or choices, and an example. */
    public record GridColumn(String header, String meaning, String input, String min, String max, String step, List<String> choices, String example) {}

    /** A table open in the grid: its rows, each cell's messages by address, the messages of no cell, and where it comes from. */
    public record Grid(String path, String title, String source, List<GridColumn> columns, List<List<String>> rows, List<String> addresses,
                       java.util.Map<String, List<String>> errors, List<String> general, String notice, String action, String download) {
        /** The messages of grid cell ({@code r}, {@code c}). */
        public List<String> errorsAt(int r, int c) {
            int width = columns.size();
            int i = r * width + c;
            return i < addresses.size() ? errors.getOrDefault(addresses.get(i), List.of()) : List.of();
        }
    }

    /** The tables a tenant page offers. */
    public record Tables(String source, boolean platform, List<String> paths) {}

    /** A tenant's API key as listed: never its secret. Times are empty when not set. */
    public record KeyRow(String keyId, String prefix, String role, String createdAt, String lastUsedAt, String revokedAt) {}

    /** A key just issued: its secret, shown on this one answer. */
    public record IssuedKeyView(String role, String prefix, String apiKey) {}

    /** A webhook endpoint of the tenant; {@code rateLimit} is empty when it has none. */
    public record EndpointRow(String id, String url, String description, List<String> eventTypes, String status, String disabledReason,
                              String failingSince, String createdAt, String rateLimit, boolean fifo, String previousSecretUntil) {
        /** Paused or disabled: delivery waits until an admin resumes it. */
        public boolean stopped() { return !"active".equals(status); }
    }

    /**
     * The form that registers or changes an endpoint: what was typed (kept when refused), and the
     * API's messages by field ({@code url}, {@code event_types}, {@code description},
     * {@code rate_limit_per_second}); {@code general} holds those of no field on the form.
     */
    public record EndpointForm(String heading, String action, String button, String back, String url, String eventTypes,
                               String description, String rateLimit, boolean fifo, java.util.Map<String, List<String>> errors,
                               List<String> general) {
        public List<String> errorsOf(String field) { return errors.getOrDefault(field, List.of()); }

        /** The id of a field's message, for {@code aria-describedby}; null when it has none. */
        public String describedBy(String field) { return errors.containsKey(field) ? field + "-error" : null; }
    }

    /** An endpoint's secret on the one answer that shows it (registration or rotation). */
    public record EndpointSecret(String heading, String detail, String secret, EndpointRow endpoint) {}

    /** One achievement of the tenant's catalogue and, when a user was asked for, that user's progress on it. */
    public record AchievementRow(String key, String name, String description, String category, String rule, String reward,
                                 boolean repeatable, boolean hidden, boolean custom, int unlockCount, String state,
                                 double percentage, String current, String target, String unlockedAt, int occurrences,
                                 String nextMilestone) {
        /** The percentage as shown: whole numbers without decimals. */
        public String percent() {
            return percentage == Math.rint(percentage) ? Long.toString((long) percentage) : String.format(java.util.Locale.ROOT, "%.2f", percentage);
        }
    }

    /**
     * The achievements page: the user asked for (empty: none), the message under the field when
     * that id is refused, the catalogue with the user's progress, and the API's next milestones.
     */
    public record Achievements(String userId, String error, boolean showsUser, int unlocked, List<AchievementRow> rows,
                               List<String> nextMilestones) {}

    /** A message to an endpoint: one event, its delivery state and last answer. */
    public record MessageRow(String id, String type, String status, int attempts, String lastStatus, String lastError,
                             String createdAt, String deliveredAt, String nextAttemptAt) {}

    /** A version against another ({@code against} says which and why), table by table and file by file. */
    public record Diff(int version, int from, String against, List<TableChange> tables, List<FileChange> files, List<String> warnings) {}

    public record TableChange(String table, String kind, int rowsBefore, int rowsAfter, List<RowChange> rows) {}

    /** A row by its key: added, removed or changed, with the cells that changed. */
    public record RowChange(String key, String change, List<CellChange> cells) {}

    public record CellChange(String column, String before, String after) {}

    /** A file added, removed or changed, with its unified diff when it is text. */
    public record FileChange(String path, String change, String diff) {}
}
