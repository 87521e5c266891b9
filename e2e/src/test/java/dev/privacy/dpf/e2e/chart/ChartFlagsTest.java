package dev.privacy.dpf.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.operator.OperatorConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every operator setting ({@code OperatorConfig.FLAGS}, through {@link
 * OperatorConfig#flagDefaults()}) is passed by the chart's Deployment and set from values (or, for
 * the names and the identity, from the chart's objects and the downward API); the defaults are the
 * operator's own except where the chart means otherwise; what the chart passes, the operator
 * accepts.
 */
class ChartFlagsTest {

  /** How the chart sets one flag: values that change it, and the value it then passes. */
  record Setting(String values, String expected) {}

  /** One entry per operator flag: the test fails when a flag is added without one. */
  static final Map<String, Setting> SETTINGS = new LinkedHashMap<>();

  static {
    SETTINGS.put("policy", new Setting("operator: {policy: dpf-t}", "dpf-t"));
    SETTINGS.put("n", new Setting("operator: {dpfN: 25}", "25"));
    SETTINGS.put("lifetime", new Setting("operator: {lifetime: 72h}", "72h"));
    SETTINGS.put("default-timeout", new Setting("operator: {defaultTimeout: 30m}", "30m"));
    SETTINGS.put("orders", new Setting("operator: {orders: [1.5, 2, 4, 8, 256]}", "1.5,2,4,8,256"));
    SETTINGS.put("conversion", new Setting("operator: {conversion: classic}", "classic"));
    SETTINGS.put(
        "default-accounting", new Setting("operator: {defaultAccounting: Basic}", "Basic"));
    SETTINGS.put(
        "namespaces", new Setting("operator: {namespaces: [ml, research]}", "ml,research"));
    SETTINGS.put(
        "leader-election",
        new Setting("replicaCount: 1\nleaderElection: {enabled: false}", "false"));
    SETTINGS.put(
        "lease-name", new Setting("leaderElection: {leaseName: dpf-leader}", "dpf-leader"));
    SETTINGS.put("lease-namespace", new Setting(null, "$(POD_NAMESPACE)"));
    SETTINGS.put("identity", new Setting(null, "$(POD_NAME)"));
    SETTINGS.put("health-port", new Setting("operator: {healthPort: 9090}", "9090"));
    SETTINGS.put("write-threads", new Setting("operator: {writeThreads: 4}", "4"));
    SETTINGS.put("resync-period", new Setting("operator: {resyncPeriod: 10s}", "10s"));
    SETTINGS.put("server-side-apply", new Setting("operator: {serverSideApply: true}", "true"));
    SETTINGS.put("events", new Setting("operator: {events: false}", "false"));
    SETTINGS.put("webhook-port", new Setting("webhook: {port: 8443}", "8443"));
    SETTINGS.put(
        "webhook-cert-dir", new Setting("certManager: {enabled: true}", "/etc/dpf/webhook-tls"));
    SETTINGS.put("webhook-secret", new Setting("fullnameOverride: dpf", "dpf-webhook-tls"));
    SETTINGS.put("webhook-service", new Setting("fullnameOverride: dpf", "dpf-webhook"));
    SETTINGS.put("webhook-namespace", new Setting(null, "$(POD_NAMESPACE)"));
    SETTINGS.put("webhook-configurations", new Setting("certManager: {enabled: true}", ""));
    SETTINGS.put(
        "webhook-hosts",
        new Setting("webhook: {hosts: [dpf.example.com, 10.0.0.7]}", "dpf.example.com,10.0.0.7"));
    SETTINGS.put(
        "gpu-resources",
        new Setting("operator: {gpuResources: [example.com/tpu]}", "example.com/tpu"));
    SETTINGS.put(
        "protected-node-label",
        new Setting("operator: {protectedNodeLabel: pool=sensitive}", "pool=sensitive"));
    SETTINGS.put("denied-pods", new Setting("operator: {deniedPods: delete}", "delete"));
  }

  @Test
  void everyOperatorFlagHasAWayToBeSet() {
    assertThat(SETTINGS.keySet())
        .as("a chart setting for each flag of OperatorConfig.FLAGS")
        .containsExactlyInAnyOrderElementsOf(OperatorConfig.flagDefaults().keySet());
  }

  @Test
  void theDeploymentPassesEveryFlagOnceAndEachComesFromItsValue() {
    Chart.Rendered defaults = Chart.render("");
    assertThat(defaults.flags().keySet())
        .as("the Deployment's --flags")
        .containsExactlyInAnyOrderElementsOf(OperatorConfig.flagDefaults().keySet());
    for (String flag : OperatorConfig.flagDefaults().keySet()) {
      Setting s = SETTINGS.get(flag);
      if (s.values() == null) {
        // from the downward API: the same whatever the values
        assertThat(defaults.flags()).as("--%s", flag).containsEntry(flag, s.expected());
        continue;
      }
      Chart.Rendered changed = Chart.render(s.values());
      assertThat(changed.flags())
          .as("--%s with %s", flag, s.values())
          .containsEntry(flag, s.expected());
      assertThat(defaults.flags().get(flag))
          .as("--%s by default differs from its value with %s", flag, s.values())
          .isNotEqualTo(s.expected());
      // and the operator accepts what the chart passes
      OperatorConfig.parse(changed.expandedArgs("dpf-operator-0"), Map.of());
    }
  }

  @Test
  void theDefaultsAreTheOperatorsButForLeaderElectionAndThePodsOwnNameAndNamespace() {
    Chart.Rendered r = Chart.render("");
    Map<String, String> rendered =
        OperatorConfig.parse(r.expandedArgs("dpf-operator-5c7b9-abcde"), Map.of()).flags();
    Map<String, String> operator = OperatorConfig.defaults().flags();
    Set<String> differ = new TreeSet<>();
    for (String k : operator.keySet()) {
      if (!operator.get(k).equals(rendered.get(k))) {
        differ.add(k);
      }
    }
    assertThat(differ)
        .containsExactlyInAnyOrder(
            "leader-election", "lease-namespace", "identity", "webhook-namespace");
    assertThat(rendered)
        .containsEntry("leader-election", "true")
        .containsEntry("lease-namespace", "dpf-system")
        .containsEntry("webhook-namespace", "dpf-system")
        .containsEntry("identity", "dpf-operator-5c7b9-abcde");
  }

  @Test
  void anotherReleaseNameGivesOtherObjectNamesAndTheFlagsFollow() {
    Chart.Rendered r = Chart.render("dpf", "privacy", "");
    Map<String, String> f = r.flags();
    assertThat(f)
        .containsEntry("webhook-service", "dpf-dpf-operator-webhook")
        .containsEntry("webhook-secret", "dpf-dpf-operator-webhook-tls")
        .containsEntry("webhook-configurations", "dpf-dpf-operator")
        .containsEntry("lease-name", "dpf-dpf-operator");
    assertThat(r.inventory())
        .contains(
            "Service/dpf-dpf-operator-webhook",
            "MutatingWebhookConfiguration/dpf-dpf-operator",
            "ValidatingWebhookConfiguration/dpf-dpf-operator");
    assertThat(OperatorConfig.parse(r.expandedArgs("p"), Map.of()).webhookNamespace())
        .isEqualTo("privacy");
  }
}
