package dev.privacy.dpf.crds.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Orders;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResourceValidatorTest {

  private final ResourceValidator validator = new ResourceValidator();

  static PrivateBlock block(String spec) {
    return Serialization.unmarshal(
        "apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivateBlock\nmetadata: {name: b, namespace: ns}\nspec:\n"
            + spec.indent(2),
        PrivateBlock.class);
  }

  static PrivacyClaim claim(String spec) {
    return Serialization.unmarshal(
        "apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivacyClaim\nmetadata: {name: c, namespace: ns}\nspec:\n"
            + spec.indent(2),
        PrivacyClaim.class);
  }

  static final String GOOD_BLOCKS = "blocks: {dataset: clicks}\n";

  @Test
  void acceptsAValidBlockAndClaim() {
    assertThat(validator.validate(block("dataset: d\nbudget: {epsilon: 1, delta: 1e-7}")))
        .isEmpty();
    assertThat(validator.validate(claim(GOOD_BLOCKS + "demand: {epsDelta: {epsilon: 0.1}}")))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          missing dataset          | budget: {epsilon: 1, delta: 1e-7}                                      | spec.dataset       | spec.dataset is required
          missing budget           | dataset: d                                                             | spec.budget        | spec.budget is required
          zero epsilon             | dataset: d\\nbudget: {epsilon: 0, delta: 1e-7}                         | spec.budget.epsilon | must be a finite number > 0, got 0
          negative epsilon         | dataset: d\\nbudget: {epsilon: -0.5, delta: 1e-7}                      | spec.budget.epsilon | got -0.5
          huge epsilon             | dataset: d\\nbudget: {epsilon: 2e6, delta: 1e-7}                       | spec.budget.epsilon | at most 1000000
          delta one                | dataset: d\\nbudget: {epsilon: 1, delta: 1}                            | spec.budget.delta  | must be in [0, 1), got 1
          negative delta           | dataset: d\\nbudget: {epsilon: 1, delta: -1e-9}                        | spec.budget.delta  | got -1e-09
          renyi with delta zero    | dataset: d\\nbudget: {epsilon: 1, delta: 0}                            | spec.budget.delta  | spec.accounting: Basic
          window reversed          | dataset: d\\nbudget: {epsilon: 1, delta: 1e-7}\\nwindow: {start: '2026-11-02T00:00:00Z', end: '2026-11-01T00:00:00Z'} | spec.window | must be before
          window not a timestamp   | dataset: d\\nbudget: {epsilon: 1, delta: 1e-7}\\nwindow: {start: yesterday, end: '2026-11-01T00:00:00Z'} | spec.window.start | RFC 3339
          bad allowed namespace    | dataset: d\\nbudget: {epsilon: 1, delta: 1e-7}\\nallowedNamespaces: [ok, Bad_NS] | spec.allowedNamespaces[1] | got "Bad_NS"
          dpf-n without n          | dataset: d\\nbudget: {epsilon: 1, delta: 1e-7}\\nunlock: {policy: dpf-n} | spec.unlock.n     | required for policy dpf-n
          dpf-t lifetime below 1ms | dataset: d\\nbudget: {epsilon: 1, delta: 1e-7}\\nunlock: {policy: dpf-t, lifetime: 500us} | spec.unlock.lifetime | at least 1ms
          no usable renyi order    | dataset: d\\nbudget: {epsilon: 0.001, delta: 1e-9}                     | spec.budget        | no positive Renyi capacity
          dpf-t bad lifetime       | dataset: d\\nbudget: {epsilon: 1, delta: 1e-7}\\nunlock: {policy: dpf-t, lifetime: 30 days} | spec.unlock.lifetime | got "30 days"
          """)
  void rejectsInvalidBlocksNamingFieldAndValue(
      String name, String spec, String field, String message) {
    List<Problem> problems = validator.validate(block(spec.replace("\\n", "\n")));
    assertThat(problems)
        .as(name)
        .anySatisfy(
            p -> {
              assertThat(p.field()).isEqualTo(field);
              assertThat(p.message()).contains(message);
            });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          missing blocks          | demand: {epsDelta: {epsilon: 0.1}}                                       | spec.blocks        | spec.blocks is required
          missing dataset         | blocks: {latest: 2}\\ndemand: {epsDelta: {epsilon: 0.1}}                 | spec.blocks.dataset | required
          bad namespace           | blocks: {dataset: d, namespace: 'Team A'}\\ndemand: {epsDelta: {epsilon: 0.1}} | spec.blocks.namespace | got "Team A"
          empty window            | blocks: {dataset: d, window: {}}\\ndemand: {epsDelta: {epsilon: 0.1}}  | spec.blocks.window | needs from, to or both
          latest zero             | blocks: {dataset: d, latest: 0}\\ndemand: {epsDelta: {epsilon: 0.1}}     | spec.blocks.latest | must be >= 1, got 0
          names with latest       | blocks: {dataset: d, latest: 1, names: [a]}\\ndemand: {epsDelta: {epsilon: 0.1}} | spec.blocks.names | cannot be combined
          bad block name          | blocks: {dataset: d, names: [Day_1]}\\ndemand: {epsDelta: {epsilon: 0.1}} | spec.blocks.names[0] | got "Day_1"
          window reversed         | blocks: {dataset: d, window: {from: '2026-11-03T00:00:00Z', to: '2026-11-01T00:00:00Z'}}\\ndemand: {epsDelta: {epsilon: 0.1}} | spec.blocks.window | must be before
          bad selector key        | blocks: {dataset: d, selector: {matchLabels: {'-bad': x}}}\\ndemand: {epsDelta: {epsilon: 0.1}} | spec.blocks.selector.matchLabels[-bad] | invalid label key
          bad selector operator   | blocks: {dataset: d, selector: {matchExpressions: [{key: day, operator: Near}]}}\\ndemand: {epsDelta: {epsilon: 0.1}} | spec.blocks.selector.matchExpressions[0].operator | got "Near"
          In without values       | blocks: {dataset: d, selector: {matchExpressions: [{key: day, operator: In}]}}\\ndemand: {epsDelta: {epsilon: 0.1}} | spec.blocks.selector.matchExpressions[0].values | must not be empty
          missing demand          | blocks: {dataset: d}                                                     | spec.demand        | spec.demand is required
          no demand form          | blocks: {dataset: d}\\ndemand: {delta: 1e-9}                            | spec.demand        | exactly one of epsDelta, rdp or mechanism, got 0
          two demand forms        | blocks: {dataset: d}\\ndemand: {epsDelta: {epsilon: 0.1}, mechanism: {gaussian: {sigma: 1}}} | spec.demand | got 2
          negative epsilon        | blocks: {dataset: d}\\ndemand: {epsDelta: {epsilon: -0.5}}              | spec.demand.epsDelta.epsilon | must be a finite number > 0, got -0.5
          negative spent          | blocks: {dataset: d}\\ndemand: {epsDelta: {epsilon: 0.5}}\\nspent: {epsDelta: {epsilon: -0.1}} | spec.spent.epsDelta.epsilon | must be a finite number > 0, got -0.1
          two spent forms         | blocks: {dataset: d}\\ndemand: {epsDelta: {epsilon: 0.5}}\\nspent: {epsDelta: {epsilon: 0.1}, rdp: {orders: [2], epsilons: [0.1]}} | spec.spent | exactly one of epsDelta, rdp or mechanism, got 2
          spent curve lengths     | blocks: {dataset: d}\\ndemand: {epsDelta: {epsilon: 0.5}}\\nspent: {rdp: {orders: [2, 4], epsilons: [0.1]}} | spec.spent.rdp | 2 orders but 1 epsilons
          delta too big           | blocks: {dataset: d}\\ndemand: {epsDelta: {epsilon: 0.5, delta: 1.5}}   | spec.demand.epsDelta.delta | got 1.5
          curve lengths differ    | blocks: {dataset: d}\\ndemand: {rdp: {orders: [2, 4], epsilons: [0.1]}}  | spec.demand.rdp    | 2 orders but 1 epsilons
          order not above one     | blocks: {dataset: d}\\ndemand: {rdp: {orders: [1, 4], epsilons: [0.1, 0.2]}} | spec.demand.rdp.orders[0] | must be a finite number > 1, got 1
          orders not increasing   | blocks: {dataset: d}\\ndemand: {rdp: {orders: [4, 2], epsilons: [0.1, 0.2]}} | spec.demand.rdp.orders[1] | strictly increasing, got 2 after 4
          negative curve epsilon  | blocks: {dataset: d}\\ndemand: {rdp: {orders: [2, 4], epsilons: [0.1, -0.2]}} | spec.demand.rdp.epsilons[1] | got -0.2
          all-zero curve          | blocks: {dataset: d}\\ndemand: {rdp: {orders: [2, 4], epsilons: [0, 0]}} | spec.demand.rdp.epsilons | must not all be 0
          two mechanisms          | blocks: {dataset: d}\\ndemand: {mechanism: {gaussian: {sigma: 1}, laplace: {scale: 1}}} | spec.demand.mechanism | got 2
          zero sigma              | blocks: {dataset: d}\\ndemand: {mechanism: {gaussian: {sigma: 0}}}      | spec.demand.mechanism.gaussian.sigma | got 0
          sampling rate above one | blocks: {dataset: d}\\ndemand: {mechanism: {subsampledGaussian: {noiseMultiplier: 1, samplingRate: 1.5, steps: 10}}} | spec.demand.mechanism.subsampledGaussian.samplingRate | must be in (0, 1], got 1.5
          zero steps              | blocks: {dataset: d}\\ndemand: {mechanism: {subsampledGaussian: {noiseMultiplier: 1, samplingRate: 0.1, steps: 0}}} | spec.demand.mechanism.subsampledGaussian.steps | must be >= 1, got 0
          noise too small         | blocks: {dataset: d}\\ndemand: {mechanism: {gaussian: {sigma: 1e-300}}} | spec.demand.mechanism | no finite epsilon at any order
          conversion delta        | blocks: {dataset: d}\\ndemand: {mechanism: {gaussian: {sigma: 1}}, delta: 1} | spec.demand.delta | must be in (0, 1), got 1
          bad timeout             | blocks: {dataset: d}\\ndemand: {epsDelta: {epsilon: 0.1}}\\ntimeout: soon | spec.timeout | got "soon"
          zero timeout            | blocks: {dataset: d}\\ndemand: {epsDelta: {epsilon: 0.1}}\\ntimeout: 0s   | spec.timeout       | longer than 0
          zero weight             | blocks: {dataset: d}\\ndemand: {epsDelta: {epsilon: 0.1}}\\nweight: 0     | spec.weight        | must be a finite number > 0, got 0
          """)
  void rejectsInvalidClaimsNamingFieldAndValue(
      String name, String spec, String field, String message) {
    List<Problem> problems = validator.validate(claim(spec.replace("\\n", "\n")));
    assertThat(problems)
        .as(name)
        .anySatisfy(
            p -> {
              assertThat(p.field()).isEqualTo(field);
              assertThat(p.message()).contains(message);
            });
  }

  @Test
  void reportsEveryProblemAtOnce() {
    List<Problem> problems =
        validator.validate(
            claim(
                "blocks: {dataset: '', latest: 0}\n"
                    + "demand: {epsDelta: {epsilon: -1, delta: 2}}\n"
                    + "timeout: never\nweight: -1"));
    assertThat(problems)
        .extracting(Problem::field)
        .containsExactlyInAnyOrder(
            "spec.blocks.dataset",
            "spec.blocks.latest",
            "spec.demand.epsDelta.epsilon",
            "spec.demand.epsDelta.delta",
            "spec.timeout",
            "spec.weight");
  }

  @Test
  void rejectsClaimNameThatCannotBeALabelValue() {
    PrivacyClaim c = claim(GOOD_BLOCKS + "demand: {epsDelta: {epsilon: 0.1}}");
    c.getMetadata().setName("x".repeat(64));
    assertThat(validator.validate(c))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("metadata.name");
              assertThat(p.message()).contains("at most 63 characters");
            });
  }

  @Test
  void basicBlockMayHaveDeltaZero() {
    assertThat(validator.validate(block("dataset: d\nbudget: {epsilon: 1}\naccounting: Basic")))
        .isEmpty();
  }

  @Test
  void demandBudgetBuildsTheCurveOfAMechanism() {
    PrivacyClaim c = claim(GOOD_BLOCKS + "demand: {mechanism: {gaussian: {sigma: 2}}}");
    Budget b = ResourceValidator.demandBudget(c.getSpec().getDemand(), Orders.DEFAULT);
    assertThat(b.kind()).isEqualTo(Budget.Kind.RENYI);
    assertThat(b.epsilonAt(2)).isCloseTo(2 / 8.0, org.assertj.core.data.Offset.offset(1e-9));
    PrivacyClaim pair = claim(GOOD_BLOCKS + "demand: {epsDelta: {epsilon: 0.3, delta: 1e-9}}");
    assertThat(ResourceValidator.demandBudget(pair.getSpec().getDemand(), Orders.DEFAULT))
        .isEqualTo(Budget.epsDelta(0.3, 1e-9));
  }

  @ParameterizedTest
  @CsvSource({"30s, 30000", "15m, 900000", "1h30m, 5400000", "1.5h, 5400000", "250ms, 250"})
  void parsesDurations(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void rejectsMalformedDurations() {
    for (String bad : new String[] {"", "30", "-1h", "1 h", "1d", "h"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
