package dev.thrillring.rulesets;

import dev.thrillring.engine.authoring.TableSchema;
import dev.thrillring.engine.BaseRules;
import dev.thrillring.engine.PlatformRuleFiles;
import dev.thrillring.engine.RuleResource;
import dev.thrillring.db.TenantScope;
import org.jooq.DSLContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A platform's base rules as the registry compiles them: the shipped files, then the files of the
 * version its platform admin activated. An uploaded file replaces the shipped file of the same
 * table, whatever its format or letter case ({@link TableSchema#tableName}: an analyst edits
 * {@code fact-points.drl.csv}, saves it as {@code Fact-Points.drl.xlsx} and uploads it back); other uploaded
 * files are added. Scenario files are checks, not rules, and are left out.
 */
public final class PlatformBaseRules implements BaseRules {
    /** Where uploaded files appear in compile errors and listings. */
    static final String UPLOADED = "uploaded";

    private final PlatformRuleFiles shipped;
    private final TenantScope scope;
    private final PlatformRuleSetStore store = new PlatformRuleSetStore();

    public PlatformBaseRules(PlatformRuleFiles shipped, TenantScope scope) {
        this.shipped = shipped;
        this.scope = scope;
    }

    @Override public List<RuleResource> load(String platform) { return snapshot(platform).rules(); }

    /**
     * The base as the database has it at one moment: which version ({@link #identity}), its rules,
     * and an activation generation no newer than that version's.
     */
    record Snapshot(String identity, List<RuleResource> rules, long generation) {}

    Snapshot snapshot(String platform) {
        record Read(String identity, List<RuleSetStore.StoredFile> files, long generation) {}
        Read read = scope.platformWide(tx -> {
            // Generation first: a switch committed between the two reads leaves the generation older
            // than the version read (its notice then reloads once more), never newer (a stale swap that sticks).
            long generation = store.generation(tx, platform);
            var active = store.active(tx, platform);
            return new Read(PlatformRuleSetStore.identityOf(active), active.map(v -> store.files(tx, platform, v.version())).orElse(List.of()),
                    generation);
        });
        return new Snapshot(read.identity(), combine(platform, read.files()), read.generation());
    }

    /** Which base the platform serves now, inside the caller's transaction. */
    String identity(DSLContext tx, String platform) { return store.baseIdentity(tx, platform); }

    /** See {@link PlatformRuleSetStore#lockBase}. */
    void lock(DSLContext tx, String platform, boolean exclusive) { store.lockBase(tx, platform, exclusive); }

    /** The shipped files with {@code uploaded} laid over them. */
    List<RuleResource> combine(String platform, List<RuleSetStore.StoredFile> uploaded) {
        List<RuleSetStore.StoredFile> rules = uploaded.stream().filter(f -> !f.kind().equals("scenario")).toList();
        Set<String> replaced = rules.stream().map(f -> TableSchema.tableName(f.path())).collect(Collectors.toSet());
        List<RuleResource> out = new ArrayList<>();
        for (RuleResource r : shipped.load(platform)) {
            if (!replaced.contains(TableSchema.tableName(r.path()))) out.add(r);
        }
        for (RuleSetStore.StoredFile f : rules) out.add(new RuleResource(UPLOADED + "/" + platform + "/" + f.path(), f.content()));
        return out;
    }

    static String fileName(String path) { return path.substring(path.lastIndexOf('/') + 1); }
}
