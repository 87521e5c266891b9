package dev.privacy.dpf.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The scheduling core stays free of Kubernetes types and keeps its layers: budget arithmetic at the
 * bottom, the ledger on it, the scheduler on both. (The Maven enforcer also bans Kubernetes
 * artifacts from this module's dependencies; this catches what a dependency ban cannot, such as a
 * class reached through another module on the classpath.)
 */
class CoreArchitectureTest {

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.privacy.dpf");

  @Test
  void coreUsesNoKubernetesTypes() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.fabric8..",
            "io.javaoperatorsdk..",
            "io.kubernetes..",
            "dev.privacy.dpf.crds..",
            "dev.privacy.dpf.operator..")
        .check(CORE);
  }

  @Test
  void budgetArithmeticDependsOnNothingAbove() {
    noClasses()
        .that()
        .resideInAPackage("dev.privacy.dpf.budget..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.privacy.dpf.ledger..", "dev.privacy.dpf.sched..")
        .check(CORE);
  }

  @Test
  void ledgerDoesNotDependOnTheScheduler() {
    noClasses()
        .that()
        .resideInAPackage("dev.privacy.dpf.ledger..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.privacy.dpf.sched..")
        .check(CORE);
  }

  @Test
  void nothingDependsOnTheDemo() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.privacy.dpf.demo..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.privacy.dpf.demo..")
        .check(CORE);
  }
}
