package dev.privacy.dpf.crds.schema;

import static dev.privacy.dpf.crds.schema.Crds.BLOCK;
import static dev.privacy.dpf.crds.schema.Crds.CLAIM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelValidationException;
import dev.privacy.dpf.crds.schema.CelRules.Failure;
import dev.privacy.dpf.crds.schema.CelRules.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs' {@code x-kubernetes-validations} rules, compiled and evaluated with cel-java as the API
 * server does (see {@link CelRules}); the mock API server evaluates none of them.
 *
 * <p>Every case is schema-valid (checked first), so a rejection comes from the CEL rule, and the
 * rejection is asserted by the rule's message.
 */
class CelRulesTest {

  // the rules' messages, as a user sees them
  static final String DEMAND_ONE =
      "spec.demand must have exactly one of epsDelta, rdp or mechanism";
  static final String MECHANISM_ONE =
      "demand.mechanism must have exactly one of gaussian, laplace or subsampledGaussian";
  static final String RDP_LENGTH = "rdp.orders and rdp.epsilons must have the same length";
  static final String BLOCK_WINDOW = "window.start must be before window.end";
  static final String CLAIM_WINDOW = "window.from must be before window.to";
  static final String CLAIM_WINDOW_EMPTY = "window needs from, to or both";
  static final String RDP_ORDERS = "rdp.orders must all be > 1";
  static final String RDP_EPSILONS = "rdp.epsilons must all be >= 0";
  static final String NAMES_ALONE =
      "blocks.names cannot be combined with selector, window or latest";
  static final String UNLOCK_N = "unlock.n is required for policy dpf-n";
  static final String UNLOCK_LIFETIME = "unlock.lifetime is required for policy dpf-t";
  static final String BUDGET_IMMUTABLE = "spec.budget is immutable";
  static final String BLOCKS_IMMUTABLE = "spec.blocks is immutable";
  static final String DEMAND_IMMUTABLE = "spec.demand is immutable";
  static final String ACCOUNTING_IMMUTABLE = "spec.accounting is immutable";
  static final String SPENT_IMMUTABLE = "spec.spent is immutable once set";

  /**
   * The rules the table below covers ({@code kind path: message}). It must equal the rules found in
   * the CRDs: a new rule fails {@link #theTableCoversEveryRuleOfTheCrds()} until it has cases.
   */
  static final Set<String> COVERED =
      Set.of(
          BLOCK + " spec: " + ACCOUNTING_IMMUTABLE,
          BLOCK + " spec.budget: " + BUDGET_IMMUTABLE,
          BLOCK + " spec.unlock: " + UNLOCK_N,
          BLOCK + " spec.unlock: " + UNLOCK_LIFETIME,
          BLOCK + " spec.window: " + BLOCK_WINDOW,
          CLAIM + " spec.blocks: " + NAMES_ALONE,
          CLAIM + " spec.blocks: " + BLOCKS_IMMUTABLE,
          CLAIM + " spec.blocks.window: " + CLAIM_WINDOW,
          CLAIM + " spec.blocks.window: " + CLAIM_WINDOW_EMPTY,
          CLAIM + " spec.demand.rdp: " + RDP_ORDERS,
          CLAIM + " spec.demand.rdp: " + RDP_EPSILONS,
          CLAIM + " spec.demand: " + DEMAND_ONE,
          CLAIM + " spec.demand: " + DEMAND_IMMUTABLE,
          CLAIM + " spec.demand.mechanism: " + MECHANISM_ONE,
          CLAIM + " spec.demand.rdp: " + RDP_LENGTH,
          CLAIM + " spec: " + SPENT_IMMUTABLE,
          CLAIM + " spec.spent: " + DEMAND_ONE,
          CLAIM + " spec.spent.mechanism: " + MECHANISM_ONE,
          CLAIM + " spec.spent.rdp: " + RDP_LENGTH,
          CLAIM + " spec.spent.rdp: " + RDP_ORDERS,
          CLAIM + " spec.spent.rdp: " + RDP_EPSILONS);

  /** The transition rules (those that compare with {@code oldSelf}): the immutable fields. */
  static final Set<String> TRANSITION =
      Set.of(
          BLOCK + " spec: " + ACCOUNTING_IMMUTABLE,
          BLOCK + " spec.budget: " + BUDGET_IMMUTABLE,
          CLAIM + " spec.blocks: " + BLOCKS_IMMUTABLE,
          CLAIM + " spec.demand: " + DEMAND_IMMUTABLE,
          CLAIM + " spec: " + SPENT_IMMUTABLE);

  /** A case: a spec (and on update the old spec), and the messages of the rules it fails. */
  record Case(String name, String kind, String oldSpec, String spec, List<String> rejectedWith) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case create(String kind, String name, String spec, String... rejectedWith) {
    return new Case("create " + name, kind, null, spec, List.of(rejectedWith));
  }

  static Case update(
      String kind, String name, String oldSpec, String spec, String... rejectedWith) {
    return new Case("update " + name, kind, oldSpec, spec, List.of(rejectedWith));
  }

  // small specs to start from
  static final String BLOCKS = "blocks: {dataset: clicks}";
  static final String EPS = "epsDelta: {epsilon: 0.1}";
  static final String RDP = "rdp: {orders: [2, 4], epsilons: [0.1, 0.3]}";
  static final String MECH = "mechanism: {gaussian: {sigma: 2}}";
  static final String BLOCK_SPEC = "{dataset: clicks, budget: {epsilon: 1.0, delta: 1.0e-6}";

  static String claim(String blocks, String demand) {
    return "{" + blocks + ", demand: {" + demand + "}}";
  }

  /** A claim on {@link #BLOCKS} demanding {@link #EPS} that reports {@code spent}. */
  static String spent(String spent) {
    return "{" + BLOCKS + ", demand: {" + EPS + "}, spent: {" + spent + "}}";
  }

  static String block(String more) {
    return BLOCK_SPEC + (more.isEmpty() ? "" : ", " + more) + "}";
  }

  static String claimWindow(String from, String to) {
    return claim(
        "blocks: {dataset: clicks, window: {"
            + (from == null ? "" : "from: '" + from + "'")
            + (from != null && to != null ? ", " : "")
            + (to == null ? "" : "to: '" + to + "'")
            + "}}",
        EPS);
  }

  static String blockWindow(String start, String end) {
    return block("window: {start: '" + start + "', end: '" + end + "'}");
  }

  static Stream<Case> cases() {
    return Stream.of(
        // ---- exactly one of demand.epsDelta / rdp / mechanism
        create(CLAIM, "demand: epsDelta alone", claim(BLOCKS, EPS)),
        create(CLAIM, "demand: rdp alone", claim(BLOCKS, RDP)),
        create(CLAIM, "demand: mechanism alone", claim(BLOCKS, MECH)),
        create(CLAIM, "demand: none (only delta)", claim(BLOCKS, "delta: 1.0e-6"), DEMAND_ONE),
        create(CLAIM, "demand: empty", claim(BLOCKS, ""), DEMAND_ONE),
        create(CLAIM, "demand: epsDelta and rdp", claim(BLOCKS, EPS + ", " + RDP), DEMAND_ONE),
        create(
            CLAIM, "demand: epsDelta and mechanism", claim(BLOCKS, EPS + ", " + MECH), DEMAND_ONE),
        create(CLAIM, "demand: rdp and mechanism", claim(BLOCKS, RDP + ", " + MECH), DEMAND_ONE),
        create(
            CLAIM, "demand: all three", claim(BLOCKS, EPS + ", " + RDP + ", " + MECH), DEMAND_ONE),
        // ---- exactly one mechanism kind
        create(
            CLAIM, "mechanism: laplace alone", claim(BLOCKS, "mechanism: {laplace: {scale: 1}}")),
        create(
            CLAIM,
            "mechanism: subsampledGaussian alone",
            claim(
                BLOCKS,
                "mechanism: {subsampledGaussian: {noiseMultiplier: 1.1, samplingRate: 0.01, steps:"
                    + " 1000}}")),
        create(CLAIM, "mechanism: none", claim(BLOCKS, "mechanism: {}"), MECHANISM_ONE),
        create(
            CLAIM,
            "mechanism: gaussian and laplace",
            claim(BLOCKS, "mechanism: {gaussian: {sigma: 2}, laplace: {scale: 1}}"),
            MECHANISM_ONE),
        create(
            CLAIM,
            "mechanism: all three kinds",
            claim(
                BLOCKS,
                "mechanism: {gaussian: {sigma: 2}, laplace: {scale: 1}, subsampledGaussian:"
                    + " {noiseMultiplier: 1.1, samplingRate: 0.01, steps: 10}}"),
            MECHANISM_ONE),
        // ---- rdp: as many epsilons as orders
        create(
            CLAIM,
            "rdp: 3 orders, 3 epsilons",
            claim(BLOCKS, "rdp: {orders: [2, 4, 8], epsilons: [0.1, 0.2, 0.4]}")),
        create(
            CLAIM,
            "rdp: 2 orders, 1 epsilon",
            claim(BLOCKS, "rdp: {orders: [2, 4], epsilons: [0.1]}"),
            RDP_LENGTH),
        create(
            CLAIM,
            "rdp: 1 order, 2 epsilons",
            claim(BLOCKS, "rdp: {orders: [2], epsilons: [0.1, 0.2]}"),
            RDP_LENGTH),
        create(
            CLAIM,
            "rdp: an order of 1",
            claim(BLOCKS, "rdp: {orders: [1, 4], epsilons: [0.1, 0.2]}"),
            RDP_ORDERS),
        create(
            CLAIM,
            "rdp: a negative epsilon",
            claim(BLOCKS, "rdp: {orders: [2, 4], epsilons: [0.1, -0.2]}"),
            RDP_EPSILONS),
        create(
            CLAIM,
            "rdp: zero epsilons are allowed",
            claim(BLOCKS, "rdp: {orders: [1.5, 4], epsilons: [0, 0.2]}")),
        // ---- claim window: from < to, as instants
        create(
            CLAIM,
            "claim window: from before to",
            claimWindow("2026-11-01T00:00:00Z", "2026-11-08T00:00:00Z")),
        create(
            CLAIM,
            "claim window: from equals to",
            claimWindow("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"),
            CLAIM_WINDOW),
        create(
            CLAIM,
            "claim window: from after to",
            claimWindow("2026-11-08T00:00:00Z", "2026-11-01T00:00:00Z"),
            CLAIM_WINDOW),
        create(
            CLAIM,
            "claim window: offsets compare as instants (22:00Z before 23:00Z)",
            claimWindow("2026-11-01T00:00:00+02:00", "2026-10-31T23:00:00Z")),
        create(
            CLAIM,
            "claim window: offsets compare as instants (01:00Z after 00:00Z)",
            claimWindow("2026-10-31T23:00:00-02:00", "2026-11-01T00:00:00Z"),
            CLAIM_WINDOW),
        create(
            CLAIM,
            "claim window: fractional seconds",
            claimWindow("2026-11-01T00:00:00.5Z", "2026-11-01T00:00:00.25Z"),
            CLAIM_WINDOW),
        create(CLAIM, "claim window: only from", claimWindow("2026-11-01T00:00:00Z", null)),
        create(CLAIM, "claim window: only to", claimWindow(null, "2026-11-01T00:00:00Z")),
        create(CLAIM, "claim window: empty", claimWindow(null, null), CLAIM_WINDOW_EMPTY),
        // ---- names are not combined with selector / window / latest
        create(
            CLAIM, "names alone", claim("blocks: {dataset: clicks, names: [day-1, day-2]}", EPS)),
        create(
            CLAIM,
            "selector, window and latest together",
            claim(
                "blocks: {dataset: clicks, selector: {matchLabels: {region: eu}}, window: {from:"
                    + " '2026-11-01T00:00:00Z'}, latest: 3}",
                EPS)),
        create(
            CLAIM,
            "names with selector",
            claim(
                "blocks: {dataset: clicks, names: [day-1], selector: {matchLabels: {a: b}}}", EPS),
            NAMES_ALONE),
        create(
            CLAIM,
            "names with window",
            claim(
                "blocks: {dataset: clicks, names: [day-1], window: {to: '2026-11-01T00:00:00Z'}}",
                EPS),
            NAMES_ALONE),
        create(
            CLAIM,
            "names with latest",
            claim("blocks: {dataset: clicks, names: [day-1], latest: 2}", EPS),
            NAMES_ALONE),
        create(
            CLAIM,
            "names with latest and no demand (two rules fail)",
            claim("blocks: {dataset: clicks, names: [day-1], latest: 2}", ""),
            NAMES_ALONE,
            DEMAND_ONE),
        // ---- block window: start < end
        create(
            BLOCK,
            "block window: start before end",
            blockWindow("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z")),
        create(
            BLOCK,
            "block window: start equals end",
            blockWindow("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"),
            BLOCK_WINDOW),
        create(
            BLOCK,
            "block window: start after end",
            blockWindow("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z"),
            BLOCK_WINDOW),
        create(
            BLOCK,
            "block window: offsets compare as instants",
            blockWindow("2026-11-02T00:00:00+02:00", "2026-11-01T23:00:00Z")),
        // ---- unlock: n for dpf-n, lifetime for dpf-t
        create(BLOCK, "unlock dpf-n with n", block("unlock: {policy: dpf-n, n: 4}")),
        create(BLOCK, "unlock dpf-n without n", block("unlock: {policy: dpf-n}"), UNLOCK_N),
        create(
            BLOCK,
            "unlock dpf-n with a lifetime but no n",
            block("unlock: {policy: dpf-n, lifetime: 720h}"),
            UNLOCK_N),
        create(
            BLOCK, "unlock dpf-t with lifetime", block("unlock: {policy: dpf-t, lifetime: 720h}")),
        create(
            BLOCK,
            "unlock dpf-t without lifetime",
            block("unlock: {policy: dpf-t}"),
            UNLOCK_LIFETIME),
        create(
            BLOCK,
            "unlock dpf-t with n but no lifetime",
            block("unlock: {policy: dpf-t, n: 4}"),
            UNLOCK_LIFETIME),
        create(BLOCK, "unlock fcfs alone", block("unlock: {policy: fcfs}")),
        // ---- transition rules are not evaluated on create
        create(BLOCK, "a block with budget and accounting", block("accounting: Basic")),
        // ---- block: spec.budget is immutable
        update(BLOCK, "budget kept", block(""), block("")),
        update(
            BLOCK,
            "budget kept, epsilon written as an integer",
            "{dataset: clicks, budget: {epsilon: 1.0}}",
            "{dataset: clicks, budget: {epsilon: 1}}"),
        update(
            BLOCK,
            "budget epsilon raised",
            block(""),
            "{dataset: clicks, budget: {epsilon: 2.0, delta: 1.0e-6}}",
            BUDGET_IMMUTABLE),
        update(
            BLOCK,
            "budget delta removed",
            block(""),
            "{dataset: clicks, budget: {epsilon: 1.0}}",
            BUDGET_IMMUTABLE),
        update(
            BLOCK,
            "budget delta added",
            "{dataset: clicks, budget: {epsilon: 1.0}}",
            block(""),
            BUDGET_IMMUTABLE),
        update(
            BLOCK,
            "unlock and allowedNamespaces changed, budget kept",
            block("unlock: {policy: fcfs}"),
            block("unlock: {policy: dpf-n, n: 10}, allowedNamespaces: [ml-team]")),
        // ---- block: spec.accounting cannot be added, removed or changed
        update(BLOCK, "accounting kept", block("accounting: Renyi"), block("accounting: Renyi")),
        update(BLOCK, "accounting absent before and after", block(""), block("")),
        update(
            BLOCK, "accounting added", block(""), block("accounting: Basic"), ACCOUNTING_IMMUTABLE),
        update(
            BLOCK,
            "accounting added, the default's value",
            block(""),
            block("accounting: Renyi"),
            ACCOUNTING_IMMUTABLE),
        update(
            BLOCK,
            "accounting removed",
            block("accounting: Renyi"),
            block(""),
            ACCOUNTING_IMMUTABLE),
        update(
            BLOCK,
            "accounting changed Renyi to Basic",
            block("accounting: Renyi"),
            block("accounting: Basic"),
            ACCOUNTING_IMMUTABLE),
        update(
            BLOCK,
            "accounting changed Basic to Renyi",
            block("accounting: Basic"),
            block("accounting: Renyi"),
            ACCOUNTING_IMMUTABLE),
        update(
            BLOCK,
            "budget and accounting changed (two rules fail)",
            block("accounting: Basic"),
            "{dataset: clicks, budget: {epsilon: 5.0}, accounting: Renyi}",
            BUDGET_IMMUTABLE,
            ACCOUNTING_IMMUTABLE),
        // ---- claim: spec.spent has the demand's forms and is immutable once set
        create(CLAIM, "spent: a pair", spent("epsDelta: {epsilon: 0.05}")),
        create(CLAIM, "spent: two forms", spent(EPS + ", " + MECH), DEMAND_ONE),
        create(CLAIM, "spent: empty mechanism", spent("mechanism: {}"), MECHANISM_ONE),
        create(
            CLAIM,
            "spent: curve lengths differ",
            spent("rdp: {orders: [2, 4], epsilons: [0.1]}"),
            RDP_LENGTH),
        create(
            CLAIM,
            "spent: an order of 1",
            spent("rdp: {orders: [1, 4], epsilons: [0.1, 0.2]}"),
            RDP_ORDERS),
        create(
            CLAIM,
            "spent: a negative epsilon",
            spent("rdp: {orders: [2, 4], epsilons: [-0.1, 0.2]}"),
            RDP_EPSILONS),
        update(CLAIM, "spent set once", claim(BLOCKS, EPS), spent("epsDelta: {epsilon: 0.05}")),
        update(
            CLAIM,
            "spent kept",
            spent("epsDelta: {epsilon: 0.05}"),
            spent("epsDelta: {epsilon: 0.05}")),
        update(
            CLAIM,
            "spent changed",
            spent("epsDelta: {epsilon: 0.05}"),
            spent("epsDelta: {epsilon: 0.07}"),
            SPENT_IMMUTABLE),
        update(
            CLAIM,
            "spent removed",
            spent("epsDelta: {epsilon: 0.05}"),
            claim(BLOCKS, EPS),
            SPENT_IMMUTABLE),
        // ---- claim: spec.blocks and spec.demand are immutable
        update(
            CLAIM,
            "blocks and demand kept",
            claim("blocks: {dataset: clicks, selector: {matchLabels: {region: eu}}}", EPS),
            claim("blocks: {dataset: clicks, selector: {matchLabels: {region: eu}}}", EPS)),
        update(
            CLAIM,
            "timeout and weight changed, blocks and demand kept",
            "{blocks: {dataset: clicks}, demand: {epsDelta: {epsilon: 0.1}}, timeout: 30m}",
            "{blocks: {dataset: clicks}, demand: {epsDelta: {epsilon: 0.1}}, timeout: 2h, weight:"
                + " 2}"),
        update(
            CLAIM,
            "demand kept, epsilon written as an integer",
            claim(BLOCKS, "epsDelta: {epsilon: 1.0}"),
            claim(BLOCKS, "epsDelta: {epsilon: 1}")),
        update(
            CLAIM,
            "blocks.dataset changed",
            claim(BLOCKS, EPS),
            claim("blocks: {dataset: views}", EPS),
            BLOCKS_IMMUTABLE),
        update(
            CLAIM,
            "blocks.latest added",
            claim(BLOCKS, EPS),
            claim("blocks: {dataset: clicks, latest: 1}", EPS),
            BLOCKS_IMMUTABLE),
        update(
            CLAIM,
            "blocks.selector changed",
            claim("blocks: {dataset: clicks, selector: {matchLabels: {region: eu}}}", EPS),
            claim("blocks: {dataset: clicks, selector: {matchLabels: {region: us}}}", EPS),
            BLOCKS_IMMUTABLE),
        update(
            CLAIM,
            "blocks.names reordered",
            claim("blocks: {dataset: clicks, names: [a, b]}", EPS),
            claim("blocks: {dataset: clicks, names: [b, a]}", EPS),
            BLOCKS_IMMUTABLE),
        update(
            CLAIM,
            "demand epsilon changed",
            claim(BLOCKS, EPS),
            claim(BLOCKS, "epsDelta: {epsilon: 0.2}"),
            DEMAND_IMMUTABLE),
        update(
            CLAIM,
            "demand epsDelta replaced by rdp",
            claim(BLOCKS, EPS),
            claim(BLOCKS, RDP),
            DEMAND_IMMUTABLE),
        update(
            CLAIM,
            "demand.delta added",
            claim(BLOCKS, MECH),
            claim(BLOCKS, MECH + ", delta: 1.0e-6"),
            DEMAND_IMMUTABLE),
        update(
            CLAIM,
            "blocks and demand changed (two rules fail)",
            claim(BLOCKS, EPS),
            claim("blocks: {dataset: views}", RDP),
            BLOCKS_IMMUTABLE,
            DEMAND_IMMUTABLE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rule(Case c) {
    List<Failure> failures = evaluate(c);
    assertThat(failures)
        .as("%s: no evaluation errors", c.name())
        .allSatisfy(f -> assertThat(f.error()).as(f.toString()).isNull());
    assertThat(failures)
        .as("%s: %s", c.name(), c.spec())
        .extracting(Failure::message)
        .containsExactlyInAnyOrderElementsOf(c.rejectedWith());
  }

  /** Evaluates a case, after checking that its objects pass the OpenAPI schema. */
  static List<Failure> evaluate(Case c) {
    JsonNode object = Crds.object(c.kind(), c.spec());
    assertThat(OpenApiSchema.of(c.kind()).validate(object))
        .as("%s: the object is schema-valid, so only CEL can reject it", c.name())
        .isEmpty();
    if (c.oldSpec() == null) {
      return CelRules.of(c.kind()).validateCreate(object);
    }
    JsonNode old = Crds.object(c.kind(), c.oldSpec());
    assertThat(OpenApiSchema.of(c.kind()).validate(old))
        .as("%s: the old object is schema-valid", c.name())
        .isEmpty();
    assertThat(CelRules.of(c.kind()).validateCreate(old))
        .as("%s: the old object could have been created", c.name())
        .isEmpty();
    return CelRules.of(c.kind()).validateUpdate(old, object);
  }

  // ---------------------------------------------------------------------------------------------
  // the rules themselves

  static List<Rule> allRules() {
    List<Rule> all = new ArrayList<>();
    Crds.kinds().forEach(k -> all.addAll(CelRules.of(k).rules()));
    return all;
  }

  /** Every rule compiles against its schema node and returns a bool; a typo fails the build. */
  @Test
  void everyRuleCompiles() {
    List<Rule> rules = allRules();
    assertThat(rules).isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (Rule r : rules) {
      try {
        CelRules.of(r.kind()).compile(r);
      } catch (CelValidationException | RuntimeException e) {
        problems.add(r + "\n" + e.getMessage());
      }
      if (r.message().isBlank()) {
        problems.add(r + ": no message (users would see only the expression)");
      }
    }
    assertThat(problems).isEmpty();
  }

  /** The compile check has teeth: a misspelt field or a type mismatch does not compile. */
  @Test
  void aMisspeltFieldOrAMistypedComparisonDoesNotCompile() {
    CelRules block = CelRules.of(BLOCK);
    assertThatThrownBy(() -> block.compileAt("spec.unlock", "self.polcy != 'dpf-n' || has(self.n)"))
        .isInstanceOf(CelValidationException.class)
        .hasMessageContaining("undefined field 'polcy'");
    assertThatThrownBy(() -> block.compileAt("spec.budget", "self.epsilon > 0")) // double vs int
        .isInstanceOf(CelValidationException.class)
        .hasMessageContaining("no matching overload");
    assertThatCode(() -> block.compileAt("spec.budget", "self.epsilon > 0.0"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> block.compileAt("spec.unlock", "self.n")) // int, not bool
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not bool");
    // a property named like a CEL reserved word is reached escaped, as in Kubernetes
    assertThatCode(
            () -> CelRules.of(CLAIM).compileAt("spec.blocks", "!has(self.__namespace__) || true"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> CelRules.of(CLAIM).compileAt("spec.blocks", "has(self.nmespace)"))
        .isInstanceOf(CelValidationException.class);
  }

  /** The rule list above is the CRDs' rule list: a new rule needs cases before the build passes. */
  @Test
  void theTableCoversEveryRuleOfTheCrds() {
    Set<String> inCrds = allRules().stream().map(Rule::key).collect(Collectors.toSet());
    assertThat(allRules()).extracting(Rule::key).doesNotHaveDuplicates();
    Set<String> untested = new TreeSet<>(inCrds);
    untested.removeAll(COVERED);
    Set<String> gone = new TreeSet<>(COVERED);
    gone.removeAll(inCrds);
    assertThat(untested).as("rules in the CRDs that the table does not cover: add cases").isEmpty();
    assertThat(gone).as("rules listed as covered that the CRDs no longer have").isEmpty();
  }

  /** Every rule fails in at least one case of the table (and only the rules listed fail). */
  @Test
  void everyRuleIsExercisedByACaseThatFailsIt() {
    Set<String> failed = new TreeSet<>();
    cases()
        .filter(c -> !c.rejectedWith().isEmpty())
        .forEach(c -> evaluate(c).forEach(f -> failed.add(f.rule().key())));
    Set<String> neverFailed = new TreeSet<>(COVERED);
    neverFailed.removeAll(failed);
    assertThat(neverFailed).as("rules that no case of the table fails").isEmpty();
    assertThat(failed).isEqualTo(new TreeSet<>(COVERED));
  }

  @Test
  void transitionRulesAreExactlyTheImmutabilityRules() {
    assertThat(allRules().stream().filter(Rule::transition).map(Rule::key))
        .containsExactlyInAnyOrderElementsOf(TRANSITION);
  }

  /** An unparsable timestamp is rejected by the schema's pattern, before any CEL rule runs. */
  @Test
  void anUnparsableWindowTimestampIsRejectedByTheSchema() {
    JsonNode object = Crds.object(BLOCK, blockWindow("yesterday", "2026-11-01T00:00:00Z"));
    assertThat(OpenApiSchema.of(BLOCK).validate(object))
        .anySatisfy(e -> assertThat(e.path()).isEqualTo("spec.window.start"));
    JsonNode claim = Crds.object(CLAIM, claimWindow("last week", null));
    assertThat(OpenApiSchema.of(CLAIM).validate(claim))
        .anySatisfy(e -> assertThat(e.path()).isEqualTo("spec.blocks.window.from"));
  }

  /** The case names are unique, so a failing case is easy to find. */
  @Test
  void caseNamesAreUnique() {
    assertThat(cases().map(Case::name)).doesNotHaveDuplicates();
  }
}
