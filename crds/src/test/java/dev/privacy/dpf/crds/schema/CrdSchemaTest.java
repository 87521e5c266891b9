package dev.privacy.dpf.crds.schema;

import static dev.privacy.dpf.crds.schema.Crds.BLOCK;
import static dev.privacy.dpf.crds.schema.Crds.CLAIM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SpecificationVersion;
import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.schema.OpenApiSchema.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CRDs' OpenAPI schemas accept what the SPEC allows and reject the rest, with the
 * path of the offending field. The mock API server used elsewhere enforces no schema, so this is
 * where the bounds, required fields, enums and patterns are tested.
 *
 * <p>Each case is a merge patch (RFC 7386: {@code null} removes a field) over a small valid spec.
 */
class CrdSchemaTest {

  /** A valid block spec that the cases patch. */
  static final String BLOCK_SPEC =
      """
      dataset: clicks
      budget: {epsilon: 1.0, delta: 1.0e-6}
      """;

  /** A valid claim spec that the cases patch. */
  static final String CLAIM_SPEC =
      """
      blocks: {dataset: clicks}
      demand: {epsDelta: {epsilon: 0.1}}
      """;

  /** The numbers of a valid DP-SGD mechanism. */
  static final String DPSGD = "{noiseMultiplier: 1.1, samplingRate: 0.01, steps: 1000}";

  record Case(String name, String kind, String patch, String rejectedAt) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Arguments ok(String kind, String name, String patch) {
    return Arguments.of(new Case(name, kind, patch, null));
  }

  static Arguments rejects(String kind, String name, String patch, String path) {
    return Arguments.of(new Case(name, kind, patch, path));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // ---- PrivateBlock: required fields
        ok(BLOCK, "block: the base spec is valid", "{}"),
        rejects(BLOCK, "block: spec.dataset is required", "dataset: null", "spec.dataset"),
        rejects(BLOCK, "block: spec.dataset is not empty", "dataset: ''", "spec.dataset"),
        rejects(BLOCK, "block: spec.budget is required", "budget: null", "spec.budget"),
        rejects(
            BLOCK,
            "block: spec.budget.epsilon is required",
            "budget: {epsilon: null}",
            "spec.budget.epsilon"),
        // ---- PrivateBlock: epsilon > 0, 0 <= delta < 1
        rejects(BLOCK, "block: epsilon 0", "budget: {epsilon: 0}", "spec.budget.epsilon"),
        rejects(BLOCK, "block: epsilon 0.0", "budget: {epsilon: 0.0}", "spec.budget.epsilon"),
        rejects(BLOCK, "block: epsilon -1", "budget: {epsilon: -1}", "spec.budget.epsilon"),
        ok(BLOCK, "block: epsilon 1e-9", "budget: {epsilon: 1e-9}"),
        ok(BLOCK, "block: epsilon 1e6", "budget: {epsilon: 1000000}"),
        rejects(BLOCK, "block: epsilon above 1e6", "budget: {epsilon: 2e6}", "spec.budget.epsilon"),
        ok(BLOCK, "block: epsilon 10 (an integer)", "budget: {epsilon: 10}"),
        rejects(
            BLOCK, "block: epsilon as a string", "budget: {epsilon: 'one'}", "spec.budget.epsilon"),
        ok(BLOCK, "block: delta omitted", "budget: {delta: null}"),
        ok(BLOCK, "block: delta 0", "budget: {delta: 0}"),
        ok(BLOCK, "block: delta 0.999999", "budget: {delta: 0.999999}"),
        rejects(BLOCK, "block: delta 1", "budget: {delta: 1}", "spec.budget.delta"),
        rejects(BLOCK, "block: delta 1.5", "budget: {delta: 1.5}", "spec.budget.delta"),
        rejects(BLOCK, "block: delta -1e-9", "budget: {delta: -1e-9}", "spec.budget.delta"),
        // ---- PrivateBlock: accounting enum
        ok(BLOCK, "block: accounting Renyi", "accounting: Renyi"),
        ok(BLOCK, "block: accounting Basic", "accounting: Basic"),
        rejects(BLOCK, "block: accounting renyi", "accounting: renyi", "spec.accounting"),
        rejects(BLOCK, "block: accounting RDP", "accounting: RDP", "spec.accounting"),
        // ---- PrivateBlock: unlock
        ok(BLOCK, "block: unlock dpf-n with n 1", "unlock: {policy: dpf-n, n: 1}"),
        ok(BLOCK, "block: unlock dpf-n with n 100", "unlock: {policy: dpf-n, n: 100}"),
        rejects(BLOCK, "block: unlock.n 0", "unlock: {policy: dpf-n, n: 0}", "spec.unlock.n"),
        rejects(BLOCK, "block: unlock.n -3", "unlock: {policy: dpf-n, n: -3}", "spec.unlock.n"),
        rejects(BLOCK, "block: unlock.n 2.5", "unlock: {policy: dpf-n, n: 2.5}", "spec.unlock.n"),
        ok(BLOCK, "block: unlock dpf-t lifetime 30m", "unlock: {policy: dpf-t, lifetime: 30m}"),
        ok(BLOCK, "block: unlock dpf-t lifetime 1h30m", "unlock: {policy: dpf-t, lifetime: 1h30m}"),
        ok(BLOCK, "block: unlock dpf-t lifetime 720h", "unlock: {policy: dpf-t, lifetime: 720h}"),
        ok(BLOCK, "block: unlock dpf-t lifetime 1.5h", "unlock: {policy: dpf-t, lifetime: 1.5h}"),
        rejects(
            BLOCK,
            "block: unlock.lifetime '30 minutes'",
            "unlock: {policy: dpf-t, lifetime: 30 minutes}",
            "spec.unlock.lifetime"),
        rejects(
            BLOCK,
            "block: unlock.lifetime -1h",
            "unlock: {policy: dpf-t, lifetime: -1h}",
            "spec.unlock.lifetime"),
        rejects(
            BLOCK,
            "block: unlock.lifetime without a unit",
            "unlock: {policy: dpf-t, lifetime: '30'}",
            "spec.unlock.lifetime"),
        rejects(
            BLOCK,
            "block: unlock.lifetime 30d (no day unit)",
            "unlock: {policy: dpf-t, lifetime: 30d}",
            "spec.unlock.lifetime"),
        ok(BLOCK, "block: unlock fcfs", "unlock: {policy: fcfs}"),
        rejects(
            BLOCK, "block: unlock.policy DPF-N", "unlock: {policy: DPF-N}", "spec.unlock.policy"),
        rejects(
            BLOCK,
            "block: unlock.policy lottery",
            "unlock: {policy: lottery}",
            "spec.unlock.policy"),
        rejects(BLOCK, "block: unlock.policy is required", "unlock: {n: 3}", "spec.unlock.policy"),
        // ---- PrivateBlock: window
        ok(
            BLOCK,
            "block: window with start and end",
            "window: {start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z'}"),
        rejects(
            BLOCK,
            "block: window.end is required",
            "window: {start: '2026-11-01T00:00:00Z'}",
            "spec.window.end"),
        rejects(
            BLOCK,
            "block: window.start is required",
            "window: {end: '2026-11-01T00:00:00Z'}",
            "spec.window.start"),
        ok(BLOCK, "block: allowedNamespaces", "allowedNamespaces: [ml-team, analytics]"),

        // ---- PrivacyClaim: required fields
        ok(CLAIM, "claim: the base spec is valid", "{}"),
        rejects(CLAIM, "claim: spec.blocks is required", "blocks: null", "spec.blocks"),
        rejects(CLAIM, "claim: spec.demand is required", "demand: null", "spec.demand"),
        rejects(
            CLAIM,
            "claim: spec.blocks.dataset is required",
            "blocks: {dataset: null, names: [day-1]}",
            "spec.blocks.dataset"),
        rejects(
            CLAIM,
            "claim: spec.blocks.dataset is not empty",
            "blocks: {dataset: ''}",
            "spec.blocks.dataset"),
        // ---- PrivacyClaim: blocks.namespace is a DNS label
        ok(CLAIM, "claim: namespace ml-team", "blocks: {namespace: ml-team}"),
        ok(CLAIM, "claim: namespace a", "blocks: {namespace: a}"),
        ok(CLAIM, "claim: namespace team-42", "blocks: {namespace: team-42}"),
        ok(
            CLAIM,
            "claim: namespace of 63 characters",
            "blocks: {namespace: " + "a".repeat(63) + "}"),
        rejects(
            CLAIM,
            "claim: namespace of 64 characters",
            "blocks: {namespace: " + "a".repeat(64) + "}",
            "spec.blocks.namespace"),
        rejects(
            CLAIM,
            "claim: namespace ML_Team",
            "blocks: {namespace: ML_Team}",
            "spec.blocks.namespace"),
        rejects(
            CLAIM, "claim: namespace Upper", "blocks: {namespace: Upper}", "spec.blocks.namespace"),
        rejects(
            CLAIM, "claim: namespace -team", "blocks: {namespace: -team}", "spec.blocks.namespace"),
        rejects(
            CLAIM, "claim: namespace team-", "blocks: {namespace: team-}", "spec.blocks.namespace"),
        rejects(CLAIM, "claim: namespace a.b", "blocks: {namespace: a.b}", "spec.blocks.namespace"),
        rejects(CLAIM, "claim: namespace ''", "blocks: {namespace: ''}", "spec.blocks.namespace"),
        // ---- PrivacyClaim: latest >= 1
        ok(CLAIM, "claim: latest 1", "blocks: {latest: 1}"),
        ok(CLAIM, "claim: latest 30", "blocks: {latest: 30}"),
        rejects(CLAIM, "claim: latest 0", "blocks: {latest: 0}", "spec.blocks.latest"),
        rejects(CLAIM, "claim: latest -1", "blocks: {latest: -1}", "spec.blocks.latest"),
        rejects(CLAIM, "claim: latest 1.5", "blocks: {latest: 1.5}", "spec.blocks.latest"),
        ok(
            CLAIM,
            "claim: a label selector",
            "blocks: {selector: {matchLabels: {region: eu}, matchExpressions: [{key: day, operator:"
                + " Exists}]}}"),
        // ---- PrivacyClaim: weight > 0
        ok(CLAIM, "claim: weight 0.5", "weight: 0.5"),
        ok(CLAIM, "claim: weight 3", "weight: 3"),
        rejects(CLAIM, "claim: weight 0", "weight: 0", "spec.weight"),
        rejects(CLAIM, "claim: weight -1", "weight: -1", "spec.weight"),
        // ---- PrivacyClaim: timeout is a duration
        ok(CLAIM, "claim: timeout 30m", "timeout: 30m"),
        ok(CLAIM, "claim: timeout 1h30m", "timeout: 1h30m"),
        ok(CLAIM, "claim: timeout 90s", "timeout: 90s"),
        ok(CLAIM, "claim: timeout 2.5h", "timeout: 2.5h"),
        ok(CLAIM, "claim: timeout 500ms", "timeout: 500ms"),
        rejects(CLAIM, "claim: timeout '30 minutes'", "timeout: 30 minutes", "spec.timeout"),
        rejects(CLAIM, "claim: timeout -1h", "timeout: -1h", "spec.timeout"),
        rejects(CLAIM, "claim: timeout '30' without a unit", "timeout: '30'", "spec.timeout"),
        rejects(CLAIM, "claim: timeout 1h 30m with a space", "timeout: 1h 30m", "spec.timeout"),
        rejects(CLAIM, "claim: timeout PT30M (ISO 8601)", "timeout: PT30M", "spec.timeout"),
        rejects(CLAIM, "claim: timeout ''", "timeout: ''", "spec.timeout"),
        // ---- PrivacyClaim: epsDelta
        rejects(
            CLAIM,
            "claim: epsDelta.epsilon 0",
            "demand: {epsDelta: {epsilon: 0}}",
            "spec.demand.epsDelta.epsilon"),
        rejects(
            CLAIM,
            "claim: epsDelta.epsilon is required",
            "demand: {epsDelta: {epsilon: null, delta: 1e-6}}",
            "spec.demand.epsDelta.epsilon"),
        ok(CLAIM, "claim: epsDelta.delta 0", "demand: {epsDelta: {delta: 0}}"),
        rejects(
            CLAIM,
            "claim: epsDelta.delta 1",
            "demand: {epsDelta: {delta: 1}}",
            "spec.demand.epsDelta.delta"),
        // ---- PrivacyClaim: demand.delta in (0, 1)
        ok(CLAIM, "claim: demand.delta 1e-5", dpsgdWithDelta("1e-5")),
        rejects(CLAIM, "claim: demand.delta 0", dpsgdWithDelta("0"), "spec.demand.delta"),
        rejects(CLAIM, "claim: demand.delta 1", dpsgdWithDelta("1"), "spec.demand.delta"),
        // ---- PrivacyClaim: mechanisms
        ok(CLAIM, "claim: subsampledGaussian", dpsgd("")),
        rejects(
            CLAIM,
            "claim: noiseMultiplier 0",
            dpsgd("noiseMultiplier: 0"),
            "spec.demand.mechanism.subsampledGaussian.noiseMultiplier"),
        ok(CLAIM, "claim: noiseMultiplier 1e-3", dpsgd("noiseMultiplier: 1e-3")),
        rejects(
            CLAIM,
            "claim: samplingRate 0",
            dpsgd("samplingRate: 0"),
            "spec.demand.mechanism.subsampledGaussian.samplingRate"),
        ok(CLAIM, "claim: samplingRate 1", dpsgd("samplingRate: 1")),
        ok(CLAIM, "claim: samplingRate 1e-6", dpsgd("samplingRate: 1e-6")),
        rejects(
            CLAIM,
            "claim: samplingRate 1.0001",
            dpsgd("samplingRate: 1.0001"),
            "spec.demand.mechanism.subsampledGaussian.samplingRate"),
        rejects(
            CLAIM,
            "claim: steps 0",
            dpsgd("steps: 0"),
            "spec.demand.mechanism.subsampledGaussian.steps"),
        ok(CLAIM, "claim: steps 1", dpsgd("steps: 1")),
        rejects(
            CLAIM,
            "claim: steps 2.5",
            dpsgd("steps: 2.5"),
            "spec.demand.mechanism.subsampledGaussian.steps"),
        rejects(
            CLAIM,
            "claim: steps is required",
            dpsgd("steps: null"),
            "spec.demand.mechanism.subsampledGaussian.steps"),
        ok(
            CLAIM,
            "claim: gaussian sigma 2",
            "demand: {epsDelta: null, mechanism: {gaussian: {sigma: 2}}}"),
        rejects(
            CLAIM,
            "claim: gaussian sigma 0",
            "demand: {epsDelta: null, mechanism: {gaussian: {sigma: 0}}}",
            "spec.demand.mechanism.gaussian.sigma"),
        rejects(
            CLAIM,
            "claim: gaussian sigma is required",
            "demand: {epsDelta: null, mechanism: {gaussian: {}}}",
            "spec.demand.mechanism.gaussian.sigma"),
        ok(
            CLAIM,
            "claim: laplace scale 0.5",
            "demand: {epsDelta: null, mechanism: {laplace: {scale: 0.5}}}"),
        rejects(
            CLAIM,
            "claim: laplace scale 0",
            "demand: {epsDelta: null, mechanism: {laplace: {scale: 0}}}",
            "spec.demand.mechanism.laplace.scale"),
        // ---- PrivacyClaim: rdp
        ok(
            CLAIM,
            "claim: rdp curve",
            "demand: {epsDelta: null, rdp: {orders: [2, 4, 8], epsilons: [0.1, 0.2, 0.4]}}"),
        rejects(
            CLAIM,
            "claim: rdp.orders not empty",
            "demand: {epsDelta: null, rdp: {orders: [], epsilons: [0.1]}}",
            "spec.demand.rdp.orders"),
        rejects(
            CLAIM,
            "claim: rdp.epsilons is required",
            "demand: {epsDelta: null, rdp: {orders: [2]}}",
            "spec.demand.rdp.epsilons"),
        rejects(
            CLAIM,
            "claim: rdp.orders are numbers",
            "demand: {epsDelta: null, rdp: {orders: [two], epsilons: [0.1]}}",
            "spec.demand.rdp.orders[0]"));
  }

  /**
   * A patch that replaces the demand by a DP-SGD mechanism whose numbers are {@link #DPSGD} merged
   * with {@code fields} (e.g. {@code "steps: 0"}, or {@code "steps: null"} to drop one).
   */
  static String dpsgd(String fields) {
    JsonNode numbers = Crds.mergePatch(Crds.yaml(DPSGD), Crds.yaml("{" + fields + "}"));
    return "demand: {epsDelta: null, mechanism: {subsampledGaussian: " + numbers + "}}";
  }

  /** Like {@code dpsgd("")}, with {@code spec.demand.delta} set. */
  static String dpsgdWithDelta(String delta) {
    JsonNode numbers = Crds.yaml(DPSGD);
    return "demand: {epsDelta: null, delta: "
        + delta
        + ", mechanism: {subsampledGaussian: "
        + numbers
        + "}}";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void schema(Case c) {
    JsonNode object = objectFor(c);
    List<Violation> violations = OpenApiSchema.of(c.kind()).validate(object);
    if (c.rejectedAt() == null) {
      assertThat(violations).as("%s is accepted: %s", c.name(), object.get("spec")).isEmpty();
    } else {
      assertThat(violations)
          .as("%s is rejected: %s", c.name(), object.get("spec"))
          .isNotEmpty()
          .extracting(Violation::path)
          .as("%s: the failing field, in %s", c.name(), violations)
          .containsOnly(c.rejectedAt());
    }
  }

  /** The case's object: the base spec of its kind with the case's patch. */
  static JsonNode objectFor(Case c) {
    String base = c.kind().equals(BLOCK) ? BLOCK_SPEC : CLAIM_SPEC;
    return Crds.object(c.kind(), Crds.mergePatch(Crds.yaml(base), Crds.yaml(c.patch())));
  }

  // ---------------------------------------------------------------------------------------------
  // the dialect

  /**
   * Kubernetes' {@code exclusiveMinimum: true} + {@code minimum: 0} means "> 0" (draft 4 / OpenAPI
   * 3.0). Read as draft 4, epsilon 0 is rejected and 1e-9 passes; read as a later draft it would
   * not mean that.
   */
  @Test
  void draft4ReadsTheBooleanExclusiveBounds() {
    JsonNode epsilon =
        Crds.openApiSchema(BLOCK).at("/properties/spec/properties/budget/properties/epsilon");
    assertThat(epsilon.path("exclusiveMinimum").isBoolean()).as("boolean form").isTrue();
    assertThat(epsilon.path("minimum").asDouble(-1)).isZero();

    OpenApiSchema block = OpenApiSchema.of(BLOCK);
    assertThat(block.validate(block("budget: {epsilon: 0}")))
        .extracting(Violation::path, Violation::keyword)
        .containsExactly(tuple("spec.budget.epsilon", "minimum"));
    assertThat(block.validate(block("budget: {epsilon: 1e-9}"))).isEmpty();
    // and the inclusive bound stays inclusive: delta 0 passes, the exclusive maximum 1 does not
    assertThat(block.validate(block("budget: {delta: 0}"))).isEmpty();
    assertThat(block.validate(block("budget: {delta: 1}")))
        .extracting(Violation::path)
        .containsExactly("spec.budget.delta");
  }

  /**
   * From draft 6 on, {@code exclusiveMinimum} must be a number; those dialects refuse the schema
   * (so they cannot silently accept epsilon 0 either).
   */
  @ParameterizedTest
  @EnumSource(
      value = SpecificationVersion.class,
      names = {"DRAFT_6", "DRAFT_7", "DRAFT_2019_09", "DRAFT_2020_12"})
  void laterDraftsCannotReadTheKubernetesSchema(SpecificationVersion dialect) {
    JsonNode schema = Crds.openApiSchema(BLOCK);
    assertThatThrownBy(
            () -> OpenApiSchema.of(schema, dialect).validate(block("budget: {epsilon: 0}")))
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("exclusiveM");
  }

  @Test
  void kubernetesExtensionsAreNotHandedToTheValidator() {
    for (String kind : Crds.kinds()) {
      String stripped =
          OpenApiSchema.withoutKubernetesExtensions(Crds.openApiSchema(kind)).toString();
      assertThat(stripped).doesNotContain("x-kubernetes-");
      assertThat(Crds.openApiSchema(kind).toString()).contains("x-kubernetes-validations");
    }
  }

  static JsonNode block(String patch) {
    return Crds.object(BLOCK, Crds.mergePatch(Crds.yaml(BLOCK_SPEC), Crds.yaml(patch)));
  }

  // ---------------------------------------------------------------------------------------------
  // examples

  /** The examples folder of the repository ({@code <root>/examples}). */
  static Path examplesDir() {
    String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
    return Path.of(basedir).toAbsolutePath().getParent().resolve("examples");
  }

  /**
   * Every PrivateBlock and PrivacyClaim in {@code examples/*.yaml} passes the schema and the CEL
   * rules (as on create). Skipped only if there is no examples folder at all.
   */
  @Test
  void everyExampleIsAccepted() throws IOException {
    Path dir = examplesDir();
    Assumptions.assumeTrue(Files.isDirectory(dir), "no examples folder at " + dir);
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).as("YAML files in %s", dir).isNotEmpty();

    Set<String> kinds = Set.of(BLOCK, CLAIM);
    List<String> checked = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      List<JsonNode> docs;
      try (InputStream in = Files.newInputStream(file)) {
        docs = Crds.yamlDocuments(in);
      }
      for (JsonNode doc : docs) {
        String kind = doc.path("kind").asText();
        if (!kinds.contains(kind)) {
          continue;
        }
        String where = dir.relativize(file) + " " + kind + "/" + doc.at("/metadata/name").asText();
        checked.add(where);
        if (!DpfApi.API_VERSION.equals(doc.path("apiVersion").asText())) {
          problems.add(where + ": apiVersion " + doc.path("apiVersion"));
        }
        List<Violation> violations = OpenApiSchema.of(kind).validate(doc);
        violations.forEach(v -> problems.add(where + ": " + v));
        if (violations.isEmpty()) { // CEL sees only schema-valid objects, as in the API server
          CelRules.of(kind).validateCreate(doc).forEach(f -> problems.add(where + ": " + f));
        }
      }
    }
    assertThat(checked).as("PrivateBlocks and PrivacyClaims in %s", dir).isNotEmpty();
    assertThat(problems).as("examples checked: %s", checked).isEmpty();
  }

  /** The case names are unique, so a failing case is easy to find. */
  @Test
  void caseNamesAreUnique() {
    assertThat(cases().map(a -> ((Case) a.get()[0]).name())).doesNotHaveDuplicates();
  }
}
