package dev.privacy.dpf.e2e.chart;

import static dev.privacy.dpf.e2e.chart.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.operator.webhook.WebhookServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The webhook configurations as docs/gating.md describes them (names, paths, selectors, failure
 * policy), and the TLS wiring both ways: the names the operator's flags point at are the names of
 * the chart's objects.
 */
class ChartWebhooksTest {
  static final List<String> NEVER =
      List.of("kube-system", "kube-public", "kube-node-lease", "dpf-system");

  static List<Map<String, Object>> webhooks(Chart.Rendered r, String kind) {
    return at(r.one(kind), "webhooks");
  }

  static Map<String, Object> webhook(Chart.Rendered r, String kind, String name) {
    return webhooks(r, kind).stream()
        .filter(w -> name.equals(w.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no webhook " + name + " in " + kind));
  }

  @Test
  void theMutatingWebhookGatesOnlyOptedInPodsAndFailsClosed() {
    Chart.Rendered r = Chart.render("");
    assertThat(webhooks(r, "MutatingWebhookConfiguration")).hasSize(1);
    Map<String, Object> w = webhook(r, "MutatingWebhookConfiguration", "gate.pods.dpf.privacy.dev");
    assertThat((Object) at(w, "clientConfig", "service"))
        .isEqualTo(
            Map.of(
                "name",
                "dpf-operator-webhook",
                "namespace",
                "dpf-system",
                "path",
                WebhookServer.MUTATE_PODS,
                "port",
                443));
    assertThat((Object) at(w, "rules"))
        .isEqualTo(
            List.of(
                Map.of(
                    "operations", List.of("CREATE"),
                    "apiGroups", List.of(""),
                    "apiVersions", List.of("v1"),
                    "resources", List.of("pods"),
                    "scope", "Namespaced")));
    assertThat((Object) at(w, "objectSelector"))
        .isEqualTo(
            Map.of(
                "matchExpressions",
                List.of(Map.of("key", DpfApi.LABEL_CLAIM, "operator", "Exists"))));
    assertThat(w)
        .containsEntry("failurePolicy", "Fail")
        .containsEntry("sideEffects", "None")
        .containsEntry("admissionReviewVersions", List.of("v1"))
        .containsEntry("timeoutSeconds", 5);
    assertThat(notIn(w)).containsExactlyElementsOf(NEVER);
    assertThat(in(w)).isNull();
  }

  @Test
  void theValidatingWebhooksSeeOptedInPodsEnforcedNamespacesAndTheResources() {
    Chart.Rendered r = Chart.render("");
    String kind = "ValidatingWebhookConfiguration";
    assertThat(webhooks(r, kind))
        .extracting(w -> w.get("name"))
        .containsExactly(
            "claimed.pods.dpf.privacy.dev",
            "enforced.pods.dpf.privacy.dev",
            "resources.dpf.privacy.dev");
    for (Map<String, Object> w : webhooks(r, kind)) {
      assertThat(w).containsEntry("failurePolicy", "Fail").containsEntry("sideEffects", "None");
      assertThat(notIn(w)).as("%s never sees them", w.get("name")).containsAll(NEVER);
      assertThat((Object) at(w, "clientConfig", "service", "name"))
          .isEqualTo("dpf-operator-webhook");
    }
    Map<String, Object> claimed = webhook(r, kind, "claimed.pods.dpf.privacy.dev");
    assertThat((Object) at(claimed, "clientConfig", "service", "path"))
        .isEqualTo(WebhookServer.VALIDATE_PODS);
    assertThat((Object) at(claimed, "objectSelector", "matchExpressions"))
        .isEqualTo(List.of(Map.of("key", DpfApi.LABEL_CLAIM, "operator", "Exists")));
    assertThat((Object) at(claimed, "rules", 0, "operations"))
        .isEqualTo(List.of("CREATE", "UPDATE"));
    assertThat((Object) at(claimed, "namespaceSelector", "matchLabels")).isNull();

    Map<String, Object> enforced = webhook(r, kind, "enforced.pods.dpf.privacy.dev");
    assertThat((Object) at(enforced, "clientConfig", "service", "path"))
        .isEqualTo(WebhookServer.VALIDATE_PODS);
    assertThat((Object) at(enforced, "namespaceSelector", "matchLabels"))
        .isEqualTo(Map.of(DpfApi.LABEL_ENFORCE, "true"));
    assertThat((Object) at(enforced, "objectSelector", "matchExpressions"))
        .isEqualTo(List.of(Map.of("key", DpfApi.LABEL_CLAIM, "operator", "DoesNotExist")));
    assertThat((Object) at(enforced, "rules", 0, "resources")).isEqualTo(List.of("pods"));

    Map<String, Object> resources = webhook(r, kind, "resources.dpf.privacy.dev");
    assertThat((Object) at(resources, "clientConfig", "service", "path"))
        .isEqualTo(WebhookServer.VALIDATE_RESOURCES);
    assertThat((Object) at(resources, "rules", 0, "apiGroups")).isEqualTo(List.of(DpfApi.GROUP));
    assertThat((Object) at(resources, "rules", 0, "apiVersions"))
        .isEqualTo(List.of(DpfApi.VERSION));
    assertThat((Object) at(resources, "rules", 0, "resources"))
        .isEqualTo(List.of(DpfApi.PLURAL_BLOCKS, DpfApi.PLURAL_CLAIMS));
  }

  @Test
  void limitedToNamespacesTheWebhooksSeeOnlyThoseAndMoreCanBeExcluded() {
    Chart.Rendered r =
        Chart.render(
            "operator: {namespaces: [ml, research]}\nwebhook: {excludeNamespaces: [monitoring]}");
    List<Map<String, Object>> all = new ArrayList<>(webhooks(r, "MutatingWebhookConfiguration"));
    all.addAll(webhooks(r, "ValidatingWebhookConfiguration"));
    assertThat(all).hasSize(4);
    for (Map<String, Object> w : all) {
      assertThat(in(w)).as("%s", w.get("name")).containsExactly("ml", "research");
      assertThat(notIn(w)).containsAll(NEVER).contains("monitoring");
    }
  }

  @Test
  void ownCaTheFlagsNameTheChartsServiceSecretAndConfigurations() {
    Chart.Rendered r = Chart.render("fullnameOverride: dpf-prod");
    Map<String, String> f = r.flags();
    assertThat(f)
        .containsEntry("webhook-cert-dir", "")
        .containsEntry("webhook-service", "dpf-prod-webhook")
        .containsEntry("webhook-secret", "dpf-prod-webhook-tls")
        .containsEntry("webhook-configurations", "dpf-prod");
    assertThat((Object) at(r.one("Service"), "metadata", "name"))
        .isEqualTo(f.get("webhook-service"));
    for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
      assertThat((Object) at(r.one(kind), "metadata", "name"))
          .isEqualTo(f.get("webhook-configurations"));
      assertThat((Object) at(r.one(kind), "metadata", "annotations")).isNull();
      for (Map<String, Object> w : webhooks(r, kind)) {
        assertThat((Object) at(w, "clientConfig", "service", "name"))
            .isEqualTo(f.get("webhook-service"));
        assertThat((Object) at(w, "clientConfig", "service", "namespace")).isEqualTo("dpf-system");
        assertThat((Object) at(w, "clientConfig", "caBundle"))
            .as("written by the operator")
            .isNull();
      }
    }
    // the Secret is the operator's to make: the chart grants it that one name
    assertThat(r.all("Secret")).isEmpty();
    assertThat(ChartRbacTest.granted(r))
        .contains(
            new ChartRbacTest.Grant(
                "Role:dpf-system", "", "secrets", "get", List.of(f.get("webhook-secret"))),
            new ChartRbacTest.Grant(
                "ClusterRole",
                "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations",
                "update",
                List.of(f.get("webhook-configurations"))));
    assertThat(r.all("Certificate")).isEmpty();
    assertThat(r.all("Issuer")).isEmpty();
  }

  @Test
  void certManagerIssuesTheCertificateInjectsTheCaAndTheOperatorReadsTheMountedSecret() {
    Chart.Rendered r =
        Chart.render("certManager: {enabled: true}\nwebhook: {hosts: [10.0.0.7, dpf.example.com]}");
    Map<String, String> f = r.flags();
    assertThat(f)
        .containsEntry("webhook-cert-dir", "/etc/dpf/webhook-tls")
        .containsEntry("webhook-configurations", "")
        .containsEntry("webhook-port", "9443");
    Map<String, Object> cert = r.one("Certificate");
    Map<String, Object> issuer = r.one("Issuer");
    assertThat((Object) at(issuer, "spec", "selfSigned")).isEqualTo(Map.of());
    assertThat((Object) at(cert, "spec", "issuerRef"))
        .isEqualTo(
            Map.of(
                "kind",
                "Issuer",
                "name",
                at(issuer, "metadata", "name"),
                "group",
                "cert-manager.io"));
    assertThat((Object) at(cert, "spec", "dnsNames"))
        .isEqualTo(
            List.of(
                f.get("webhook-service") + ".dpf-system.svc",
                f.get("webhook-service") + ".dpf-system.svc.cluster.local",
                "dpf.example.com"));
    assertThat((Object) at(cert, "spec", "ipAddresses")).isEqualTo(List.of("10.0.0.7"));
    String injectFrom = "dpf-system/" + at(cert, "metadata", "name");
    for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
      assertThat((Object) at(r.one(kind), "metadata", "annotations"))
          .isEqualTo(Map.of("cert-manager.io/inject-ca-from", injectFrom));
    }
    Map<String, Object> pod = at(r.deployment(), "spec", "template", "spec");
    assertThat((Object) at(pod, "volumes"))
        .asList()
        .contains(
            Map.of(
                "name",
                "webhook-tls",
                "secret",
                Map.of("secretName", at(cert, "spec", "secretName"))));
    assertThat((Object) at(r.container(), "volumeMounts"))
        .asList()
        .contains(
            Map.of(
                "name", "webhook-tls", "mountPath", f.get("webhook-cert-dir"), "readOnly", true));
    // no Secret or webhook configuration to keep: no grant for them
    assertThat(r.text)
        .doesNotContain("resources: [secrets]")
        .doesNotContain("webhookconfigurations");
  }

  @Test
  void certManagerWithAnExistingIssuerMakesNoIssuer() {
    Chart.Rendered r =
        Chart.render(
            "certManager: {enabled: true, issuerRef: {kind: ClusterIssuer, name: corp-ca}}");
    assertThat(r.all("Issuer")).isEmpty();
    assertThat((Object) at(r.one("Certificate"), "spec", "issuerRef"))
        .isEqualTo(Map.of("kind", "ClusterIssuer", "name", "corp-ca", "group", "cert-manager.io"));
  }

  @Test
  void withoutWebhooksNothingIsInterceptedAndThePortIsOff() {
    Chart.Rendered r = Chart.render("webhook: {enabled: false}");
    assertThat(r.all("MutatingWebhookConfiguration")).isEmpty();
    assertThat(r.all("ValidatingWebhookConfiguration")).isEmpty();
    assertThat(r.flags())
        .containsEntry("webhook-port", "-1")
        .containsEntry("webhook-configurations", "");
    List<Map<String, Object>> ports = at(r.one("Service"), "spec", "ports");
    assertThat(ports).extracting(p -> p.get("name")).containsExactly((Object) "http-health");
  }

  @SuppressWarnings("unchecked")
  private static List<String> notIn(Map<String, Object> w) {
    return expression(w, "NotIn");
  }

  private static List<String> in(Map<String, Object> w) {
    return expression(w, "In");
  }

  @SuppressWarnings("unchecked")
  private static List<String> expression(Map<String, Object> w, String op) {
    List<Map<String, Object>> exprs = at(w, "namespaceSelector", "matchExpressions");
    if (exprs == null) {
      return null;
    }
    return exprs.stream()
        .filter(
            e -> "kubernetes.io/metadata.name".equals(e.get("key")) && op.equals(e.get("operator")))
        .map(e -> (List<String>) e.get("values"))
        .findFirst()
        .orElse(null);
  }
}
