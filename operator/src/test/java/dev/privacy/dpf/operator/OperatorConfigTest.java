package dev.privacy.dpf.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.crds.Accounting;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    OperatorConfig c = OperatorConfig.defaults();
    assertThat(c.policy()).isEqualTo("dpf-n");
    assertThat(c.n()).isEqualTo(10);
    assertThat(c.lifetime()).isEqualTo(Duration.ofHours(24));
    assertThat(c.defaultTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(c.orders().size()).isEqualTo(12);
    assertThat(c.conversion()).isEqualTo(Conversion.TIGHT);
    assertThat(c.defaultAccounting()).isEqualTo(Accounting.Renyi);
    assertThat(c.namespaces()).isEmpty();
    assertThat(c.leaderElection()).isFalse();
    assertThat(c.healthPort()).isEqualTo(8081);
    assertThat(c.webhookPort()).isEqualTo(9443);
    assertThat(c.webhookCertDir()).isEmpty();
    assertThat(c.webhookConfigurations()).containsExactly("dpf-operator");
    assertThat(c.gpuResources()).containsExactly("nvidia.com/gpu", "amd.com/gpu");
    assertThat(c.protectedNodeLabel()).isEqualTo("dpf.privacy.dev/protected");
    assertThat(c.deniedPods()).isEqualTo("keep");
  }

  @Test
  void flagDefaultsListEveryFlagWithTheDefaultItParsesTo() {
    Map<String, String> d = OperatorConfig.flagDefaults();
    assertThat(d.keySet()).containsExactlyElementsOf(OperatorConfig.FLAGS.keySet());
    assertThat(d.keySet())
        .containsExactlyInAnyOrderElementsOf(OperatorConfig.defaults().flags().keySet());
    assertThat(d).containsEntry("policy", "dpf-n").containsEntry("denied-pods", "keep");
    String[] args =
        d.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    // given as flags, the defaults give the default configuration
    assertThat(OperatorConfig.parse(args, Map.of()).flags())
        .isEqualTo(OperatorConfig.defaults().flags());
  }

  @Test
  void flagsWinOverTheEnvironment() {
    OperatorConfig c =
        OperatorConfig.parse(
            new String[] {"--policy=dpf-t", "--namespaces=a, b", "--lifetime=2h"},
            Map.of("DPF_POLICY", "fcfs", "DPF_N", "7", "DPF_LEADER_ELECTION", "true"));
    assertThat(c.policy()).isEqualTo("dpf-t");
    assertThat(c.n()).isEqualTo(7);
    assertThat(c.namespaces()).isEqualTo(Set.of("a", "b"));
    assertThat(c.lifetime()).isEqualTo(Duration.ofHours(2));
    assertThat(c.leaderElection()).isTrue();
  }

  @Test
  void aWrongValueNamesTheFlagAndTheValue() {
    assertThatThrownBy(() -> parse("--policy=dpf-x"))
        .hasMessageContaining("--policy")
        .hasMessageContaining("dpf-x");
    assertThatThrownBy(() -> parse("--n=0")).hasMessageContaining("--n must be >= 1, got 0");
    assertThatThrownBy(() -> parse("--n=ten"))
        .hasMessageContaining("--n")
        .hasMessageContaining("ten");
    assertThatThrownBy(() -> parse("--lifetime=soon"))
        .hasMessageContaining("--lifetime")
        .hasMessageContaining("soon");
    assertThatThrownBy(() -> parse("--orders=2,1.5")).hasMessageContaining("--orders=2,1.5");
    assertThatThrownBy(() -> parse("--orders=2,x")).hasMessageContaining("\"x\"");
    assertThatThrownBy(() -> parse("--conversion=exact")).hasMessageContaining("--conversion");
    assertThatThrownBy(() -> parse("--default-accounting=Pure")).hasMessageContaining("Pure");
    assertThatThrownBy(() -> parse("--leader-election=yes"))
        .hasMessageContaining("--leader-election");
    assertThatThrownBy(() -> parse("--polcy=fcfs")).hasMessageContaining("unknown flag --polcy");
    assertThatThrownBy(() -> parse("policy=fcfs")).hasMessageContaining("expected --flag=value");
    assertThatThrownBy(() -> parse("--denied-pods=evict"))
        .hasMessageContaining("--denied-pods must be keep or delete, got \"evict\"");
    assertThatThrownBy(() -> parse("--webhook-port=70000"))
        .hasMessageContaining("--webhook-port must be a port (0-65535) or -1, got 70000");
    assertThatThrownBy(() -> parse("--protected-node-label=gpu nodes"))
        .hasMessageContaining("--protected-node-label must be a label key or key=value")
        .hasMessageContaining("gpu nodes");
  }

  @Test
  void listsAndLabelsOfTheGatingFlagsParse() {
    OperatorConfig c =
        OperatorConfig.parse(
            new String[] {
              "--gpu-resources=nvidia.com/gpu, example.com/tpu",
              "--protected-node-label=pool=sensitive",
              "--webhook-configurations=",
              "--webhook-hosts=127.0.0.1,localhost"
            },
            Map.of());
    assertThat(c.gpuResources()).containsExactly("nvidia.com/gpu", "example.com/tpu");
    assertThat(c.protectedNodeLabel()).isEqualTo("pool=sensitive");
    assertThat(c.webhookConfigurations()).isEmpty();
    assertThat(c.webhookHosts()).containsExactly("127.0.0.1", "localhost");
    assertThat(OperatorConfig.parse(new String[0], Map.of()).with("protected-node-label", ""))
        .satisfies(x -> assertThat(x.protectedNodeLabel()).isEmpty());
    assertThat(c.with("n", "3").with("n", "10")).isEqualTo(c);
  }

  @Test
  void aConfigurationRoundTripsThroughItsFlags() {
    OperatorConfig c =
        OperatorConfig.parse(
            new String[] {"--policy=dpf-t", "--lifetime=90m", "--orders=2,4.5", "--namespaces=b,a"},
            Map.of());
    assertThat(c.with("n", "3").flags()).containsEntry("n", "3");
    assertThat(c.with("n", "3").with("n", "10")).isEqualTo(c);
    assertThat(c.withEvents(false).events()).isFalse();
  }

  @Test
  void helpListsEveryFlag() {
    String help = OperatorConfig.help();
    OperatorConfig.FLAGS.keySet().forEach(f -> assertThat(help).contains("--" + f + "="));
  }

  private static OperatorConfig parse(String arg) {
    return OperatorConfig.parse(new String[] {arg}, Map.of());
  }
}
