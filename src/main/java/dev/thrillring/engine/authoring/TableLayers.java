package dev.thrillring.engine.authoring;

import dev.thrillring.engine.RuleResource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays tables of the same kind and name over each other row by row: a later layer's row replaces
 * the earlier layer's row with the same key (a tenant's raised threshold replaces the platform's),
 * and its rows with new keys are added. A row equal to the one it would replace is not an
 * override: the earlier layer keeps it, so its later changes still reach the tenant.
 */
public final class TableLayers {
    private TableLayers() {}

    /**
     * One table as compiled: its layered rows, the resources it stands for (in layer order) and
     * whether all of them are shipped files. A resource whose rows could not be merged (several
     * sheets, or other columns such as other boards) stays a table of its own beside the others.
     */
    public record Layered(String name, List<TableRows> sheets, List<RuleResource> sources, boolean shipped) {}

    /** The tables of {@code resources} (those {@code tables} holds rows for), each identity merged once, in first-appearance order. */
    public static List<Layered> layer(List<RuleResource> resources, Map<String, List<TableRows>> tables) {
        Map<String, Layered> byName = new LinkedHashMap<>();
        List<Layered> separate = new ArrayList<>();
        for (RuleResource r : resources) {
            List<TableRows> sheets = tables.get(r.path());
            if (sheets == null) continue;
            String name = TableSchema.tableName(r.path());
            List<TableRows> own = sheets.stream().map(t -> t.withRows(t.rows().stream().map(row -> row.withOrigin(r.path())).toList())).toList();
            Layered before = byName.get(name);
            if (before == null) {
                byName.put(name, new Layered(name, own, List.of(r), r.shipped()));
            } else if (before.sheets().size() == 1 && own.size() == 1 && before.sheets().getFirst().sameColumns(own.getFirst())) {
                List<RuleResource> sources = new ArrayList<>(before.sources());
                sources.add(r);
                byName.put(name, new Layered(name, List.of(over(before.sheets().getFirst(), own.getFirst())), sources, before.shipped() && r.shipped()));
            } else {
                separate.add(new Layered(name, own, List.of(r), r.shipped()));
            }
        }
        List<Layered> out = new ArrayList<>(byName.values());
        out.addAll(separate);
        return out;
    }

    /** The tables of known kinds in {@code resources}, checked and layered; tables with errors are left out. */
    public static List<Layered> effective(List<RuleResource> resources) {
        return layer(resources, TableCheck.read(resources).tables());
    }

    /** {@code top}'s rows over {@code bottom}'s, by key; the result keeps the bottom table's header and package. */
    static TableRows over(TableRows bottom, TableRows top) {
        Map<String, TableRows.Row> overrides = new LinkedHashMap<>();
        for (TableRows.Row r : top.rows()) overrides.put(top.key(r), r);
        List<TableRows.Row> rows = new ArrayList<>();
        for (TableRows.Row r : bottom.rows()) {
            TableRows.Row o = overrides.remove(bottom.key(r));
            rows.add(o == null || o.sameValues(r) ? r : o);
        }
        rows.addAll(overrides.values());
        return bottom.withRows(rows);
    }
}
