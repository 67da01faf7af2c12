package dev.thrillring.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The package graph stays a DAG with {@code app} at its root (ENGINEERING.md, "Layout"). */
class PackageGraphTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.thrillring");
    }

    @Test
    void shouldHaveNoCycleBetweenFeaturePackages() {
        // One slice per top-level package; engine.model belongs to engine, db.schema to db.
        slices().matching("dev.thrillring.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void shouldLetNothingButTheEntryPointImportTheCompositionRoot() {
        noClasses().that().resideOutsideOfPackage("dev.thrillring.app..")
                .and().doNotHaveFullyQualifiedName("dev.thrillring.Main")
                .should().dependOnClassesThat().resideInAPackage("dev.thrillring.app..")
                .check(main);
    }

    @Test
    void shouldKeepWebHelpersFreeOfFeatures() {
        noClasses().that().resideInAPackage("dev.thrillring.web..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.thrillring.achievements..", "dev.thrillring.leaderboards..",
                        "dev.thrillring.referrals..", "dev.thrillring.rulesets..", "dev.thrillring.platforms..",
                        "dev.thrillring.decisions..", "dev.thrillring.tenants..", "dev.thrillring.showcases..", "dev.thrillring.badges..")
                .check(main);
    }

    @Test
    void shouldKeepTheWritePathFreeOfTheFeaturesThatListenToIt() {
        noClasses().that().resideInAPackage("dev.thrillring.decisions..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.thrillring.achievements..", "dev.thrillring.leaderboards..",
                        "dev.thrillring.referrals..", "dev.thrillring.rulesets..")
                .check(main);
    }

    @Test
    void shouldOpenTransactionsOnlyThroughTheOneMechanism() {
        // db.TenantScope opens every transaction (tenant or platform-wide), so deferred statements,
        // the event log's commit work and after-commit hooks run the same way everywhere. A jOOQ
        // transaction elsewhere would silently skip them.
        noClasses().that().resideOutsideOfPackage("dev.thrillring.db..")
                .should().callMethod(org.jooq.DSLContext.class, "transactionResult", org.jooq.TransactionalCallable.class)
                .orShould().callMethod(org.jooq.DSLContext.class, "transaction", org.jooq.TransactionalRunnable.class)
                .check(main);
    }
}
