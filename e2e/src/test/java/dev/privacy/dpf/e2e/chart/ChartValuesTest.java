package dev.privacy.dpf.e2e.chart;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad values file fails {@code helm template} (and so {@code helm install}) with a message that
 * names the value: the schema for each value alone, the chart's checks for values together.
 */
class ChartValuesTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
          replicaCount: -1                              | at '/replicaCount'
          replicaCount: two                             | at '/replicaCount'
          operator: {policy: dpf-x}                     | at '/operator/policy'
          operator: {deniedPods: evict}                 | at '/operator/deniedPods'
          operator: {dpfN: 0}                           | at '/operator/dpfN'
          operator: {lifetime: soon}                    | at '/operator/lifetime'
          operator: {defaultTimeout: 10}                | at '/operator/defaultTimeout'
          operator: {resyncPeriod: -5s}                 | at '/operator/resyncPeriod'
          operator: {orders: [0.5, 2]}                  | at '/operator/orders/0'
          operator: {orders: []}                        | at '/operator/orders'
          operator: {conversion: loose}                 | at '/operator/conversion'
          operator: {defaultAccounting: renyi}          | at '/operator/defaultAccounting'
          operator: {namespaces: [ML_Team]}             | at '/operator/namespaces/0'
          operator: {gpuResources: [nvidia.com/gpu=1]}  | at '/operator/gpuResources/0'
          operator: {protectedNodeLabel: 'a b'}         | at '/operator/protectedNodeLabel'
          operator: {writeThreads: 0}                   | at '/operator/writeThreads'
          operator: {healthPort: 70000}                 | at '/operator/healthPort'
          operator: {events: yes please}                | at '/operator/events'
          operator: {deniedpods: delete}                | 'deniedpods' not allowed
          webhook: {port: 0}                            | at '/webhook/port'
          webhook: {timeoutSeconds: 60}                 | at '/webhook/timeoutSeconds'
          certManager: {issuerRef: {kind: Vault}}       | at '/certManager/issuerRef/kind'
          leaderElection: {enabled: maybe}              | at '/leaderElection/enabled'
          podDisruptionBudget: {maxUnavailable: lots}   | at '/podDisruptionBudget/maxUnavailable'
          replicas: 3                                   | 'replicas' not allowed
          """)
  void aBadValueIsRefusedWithItsName(String values, String message) {
    assertThatThrownBy(() -> Chart.template("dpf-operator", "dpf-system", values))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(message);
  }

  @Test
  void moreThanOneReplicaWithoutLeaderElectionIsRefused() {
    assertThatThrownBy(
            () ->
                Chart.template(
                    "dpf-operator",
                    "dpf-system",
                    "replicaCount: 2\nleaderElection: {enabled: false}"))
        .hasMessageContaining(
            "replicaCount is 2: more than one replica needs leaderElection.enabled=true");
  }

  @Test
  void ordersThatDoNotIncreaseAreRefused() {
    assertThatThrownBy(
            () -> Chart.template("dpf-operator", "dpf-system", "operator: {orders: [2, 8, 4]}"))
        .hasMessageContaining("operator.orders must be increasing")
        .hasMessageContaining("got 4 at position 2");
  }

  @Test
  void certManagerWithoutWebhooksIsRefused() {
    assertThatThrownBy(
            () ->
                Chart.template(
                    "dpf-operator",
                    "dpf-system",
                    "certManager: {enabled: true}\nwebhook: {enabled: false}"))
        .hasMessageContaining("certManager.enabled=true needs webhook.enabled=true");
  }

  @Test
  void aClusterOlderThanSchedulingGatesIsRefused() {
    assertThatThrownBy(
            () ->
                Chart.helm().template().withName("dpf-operator").withKubeVersion("v1.26.9").call())
        .hasMessageContaining("chart requires kubeVersion: >=1.27.0-0");
  }
}
