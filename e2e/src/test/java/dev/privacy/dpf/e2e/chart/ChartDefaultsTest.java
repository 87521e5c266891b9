package dev.privacy.dpf.e2e.chart;

import static dev.privacy.dpf.e2e.chart.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code helm template} with the default values: the objects, and what an admin relies on. */
class ChartDefaultsTest {
  static final Chart.Rendered R = Chart.render("");

  @Test
  void rendersTheOperatorItsAccessItsWebhooksAndThePersonaRoles() {
    assertThat(R.inventory())
        .containsExactlyInAnyOrder(
            "ServiceAccount/dpf-operator",
            "ClusterRole/dpf-operator",
            "ClusterRoleBinding/dpf-operator",
            "Role/dpf-operator",
            "RoleBinding/dpf-operator",
            "ClusterRole/dpf-data-owner",
            "ClusterRole/dpf-ml-engineer",
            "ClusterRole/dpf-viewer",
            "Service/dpf-operator-webhook",
            "Deployment/dpf-operator",
            "PodDisruptionBudget/dpf-operator",
            "MutatingWebhookConfiguration/dpf-operator",
            "ValidatingWebhookConfiguration/dpf-operator");
    for (Map<String, Object> o : R.objects) {
      boolean clusterScoped =
          List.of(
                  "ClusterRole",
                  "ClusterRoleBinding",
                  "MutatingWebhookConfiguration",
                  "ValidatingWebhookConfiguration")
              .contains(o.get("kind"));
      assertThat((String) at(o, "metadata", "namespace"))
          .as("namespace of %s", o.get("kind"))
          .isEqualTo(clusterScoped ? null : "dpf-system");
      assertThat((Object) at(o, "metadata", "labels", "app.kubernetes.io/managed-by"))
          .isEqualTo("Helm");
    }
    // CRDs come from crds/: installed first by helm install, never deleted by Helm
    assertThat(R.all("CustomResourceDefinition")).isEmpty();
  }

  @Test
  void twoReplicasWithLeaderElectionRollOneAtATimeAndTolerateOneDisruption() {
    Map<String, Object> d = R.deployment();
    assertThat((Object) at(d, "spec", "replicas")).isEqualTo(2);
    assertThat(R.flags()).containsEntry("leader-election", "true");
    assertThat((Object) at(d, "spec", "strategy", "rollingUpdate", "maxUnavailable")).isEqualTo(0);
    Map<String, Object> pdb = R.one("PodDisruptionBudget");
    assertThat((Object) at(pdb, "spec", "maxUnavailable")).isEqualTo(1);
    assertThat((Object) at(pdb, "spec", "selector", "matchLabels"))
        .isEqualTo(at(d, "spec", "selector", "matchLabels"));
    assertThat((Object) at(d, "spec", "template", "metadata", "labels"))
        .isEqualTo(at(d, "spec", "selector", "matchLabels"));
    // the replicas prefer different nodes
    assertThat(
            (Object)
                at(
                    d,
                    "spec",
                    "template",
                    "spec",
                    "affinity",
                    "podAntiAffinity",
                    "preferredDuringSchedulingIgnoredDuringExecution",
                    0,
                    "podAffinityTerm",
                    "topologyKey"))
        .isEqualTo("kubernetes.io/hostname");
  }

  @Test
  void probesAskTheHealthPortForHealthzAndReadyz() {
    Map<String, Object> c = R.container();
    List<Map<String, Object>> ports = at(c, "ports");
    assertThat(ports)
        .contains(
            Map.of("name", "health", "containerPort", 8081, "protocol", "TCP"),
            Map.of("name", "webhook", "containerPort", 9443, "protocol", "TCP"));
    assertThat(R.flags())
        .containsEntry("health-port", "8081")
        .containsEntry("webhook-port", "9443");
    assertThat((Object) at(c, "livenessProbe", "httpGet"))
        .isEqualTo(Map.of("path", "/healthz", "port", "health"));
    assertThat((Object) at(c, "readinessProbe", "httpGet"))
        .isEqualTo(Map.of("path", "/readyz", "port", "health"));
    assertThat((Object) at(c, "startupProbe", "httpGet"))
        .isEqualTo(Map.of("path", "/healthz", "port", "health"));
    assertThat((Object) at(c, "resources", "requests", "memory")).isEqualTo("512Mi");
    assertThat((Object) at(c, "resources", "limits", "memory")).isEqualTo("512Mi");
  }

  @Test
  void runsAsANonRootUserOnAReadOnlyRootWithNoCapabilitiesAndAWritableTmp() {
    Map<String, Object> pod = at(R.deployment(), "spec", "template", "spec");
    assertThat((Object) at(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
    assertThat((Object) at(pod, "securityContext", "runAsUser")).isEqualTo(10001);
    assertThat((Object) at(pod, "securityContext", "seccompProfile", "type"))
        .isEqualTo("RuntimeDefault");
    Map<String, Object> sc = at(R.container(), "securityContext");
    assertThat(sc)
        .containsEntry("allowPrivilegeEscalation", false)
        .containsEntry("readOnlyRootFilesystem", true)
        .containsEntry("runAsNonRoot", true);
    assertThat((Object) at(sc, "capabilities", "drop")).isEqualTo(List.of("ALL"));
    assertThat((Object) at(sc, "seccompProfile", "type")).isEqualTo("RuntimeDefault");
    assertThat((Object) at(R.container(), "volumeMounts"))
        .isEqualTo(List.of(Map.of("name", "tmp", "mountPath", "/tmp")));
    assertThat((Object) at(pod, "volumes", 0, "emptyDir", "sizeLimit")).isEqualTo("64Mi");
    assertThat((Object) at(pod, "serviceAccountName")).isEqualTo("dpf-operator");
  }

  @Test
  void identityAndNamespacesComeFromTheDownwardApi() {
    List<Map<String, Object>> env = at(R.container(), "env");
    assertThat(env)
        .contains(
            Map.of(
                "name",
                "POD_NAME",
                "valueFrom",
                Map.of("fieldRef", Map.of("fieldPath", "metadata.name"))),
            Map.of(
                "name",
                "POD_NAMESPACE",
                "valueFrom",
                Map.of("fieldRef", Map.of("fieldPath", "metadata.namespace"))));
    assertThat(R.flags())
        .containsEntry("identity", "$(POD_NAME)")
        .containsEntry("lease-namespace", "$(POD_NAMESPACE)")
        .containsEntry("webhook-namespace", "$(POD_NAMESPACE)");
  }

  @Test
  void theServiceSendsPort443ToTheWebhookPortAndOffersHealth() {
    Map<String, Object> s = R.one("Service");
    assertThat((Object) at(s, "spec", "selector"))
        .isEqualTo(at(R.deployment(), "spec", "selector", "matchLabels"));
    assertThat((Object) at(s, "spec", "ports"))
        .isEqualTo(
            List.of(
                Map.of(
                    "name",
                    "https-webhook",
                    "port",
                    443,
                    "targetPort",
                    "webhook",
                    "protocol",
                    "TCP"),
                Map.of(
                    "name",
                    "http-health",
                    "port",
                    8081,
                    "targetPort",
                    "health",
                    "protocol",
                    "TCP")));
  }

  @Test
  void theImageIsTheChartsAppVersionOfTheOperatorImage() {
    assertThat((Object) at(R.container(), "image")).isEqualTo("dpf-operator:0.1.0");
    assertThat((Object) at(R.container(), "imagePullPolicy")).isEqualTo("IfNotPresent");
  }
}
