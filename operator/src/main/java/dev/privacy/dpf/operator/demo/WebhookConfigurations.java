package dev.privacy.dpf.operator.demo;

import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.operator.webhook.WebhookServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;

/**
 * The webhook configurations of the Helm chart, for an operator reached by URL (the embedded API
 * server has no Services): the demo installs them, and the end-to-end tests apply them with
 * kubectl.
 */
public final class WebhookConfigurations {
  private WebhookConfigurations() {}

  /**
   * The chart's Mutating- and ValidatingWebhookConfiguration {@code dpf-operator} (same webhooks,
   * rules, selectors and failure policy), calling the operator at {@code https://localhost:<port>}
   * instead of through a Service, without a caBundle (the operator's own CA writes it).
   */
  public static List<HasMetadata> calledByUrl(int port) {
    LabelSelector notSystem =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("kubernetes.io/metadata.name")
            .withOperator("NotIn")
            .withValues("kube-system", "kube-public", "kube-node-lease", "dpf-system")
            .endMatchExpression()
            .build();
    LabelSelector claimed =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey(DpfApi.LABEL_CLAIM)
            .withOperator("Exists")
            .endMatchExpression()
            .build();
    LabelSelector unclaimed =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey(DpfApi.LABEL_CLAIM)
            .withOperator("DoesNotExist")
            .endMatchExpression()
            .build();
    LabelSelector enforced =
        new LabelSelectorBuilder(notSystem).addToMatchLabels(DpfApi.LABEL_ENFORCE, "true").build();
    HasMetadata mutating =
        new MutatingWebhookConfigurationBuilder()
            .withNewMetadata()
            .withName("dpf-operator")
            .endMetadata()
            .addNewWebhook()
            .withName("gate.pods.dpf.privacy.dev")
            .withClientConfig(url(port, WebhookServer.MUTATE_PODS))
            .withRules(rule(List.of("CREATE"), "", "v1", "pods"))
            .withObjectSelector(claimed)
            .withNamespaceSelector(notSystem)
            .withFailurePolicy("Fail")
            .withReinvocationPolicy("IfNeeded")
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .withTimeoutSeconds(5)
            .endWebhook()
            .build();
    HasMetadata validating =
        new ValidatingWebhookConfigurationBuilder()
            .withNewMetadata()
            .withName("dpf-operator")
            .endMetadata()
            .addNewWebhook()
            .withName("claimed.pods.dpf.privacy.dev")
            .withClientConfig(url(port, WebhookServer.VALIDATE_PODS))
            .withRules(rule(List.of("CREATE", "UPDATE"), "", "v1", "pods"))
            .withObjectSelector(claimed)
            .withNamespaceSelector(notSystem)
            .withFailurePolicy("Fail")
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .withTimeoutSeconds(5)
            .endWebhook()
            .addNewWebhook()
            .withName("enforced.pods.dpf.privacy.dev")
            .withClientConfig(url(port, WebhookServer.VALIDATE_PODS))
            .withRules(rule(List.of("CREATE"), "", "v1", "pods"))
            .withObjectSelector(unclaimed)
            .withNamespaceSelector(enforced)
            .withFailurePolicy("Fail")
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .withTimeoutSeconds(5)
            .endWebhook()
            .addNewWebhook()
            .withName("resources.dpf.privacy.dev")
            .withClientConfig(url(port, WebhookServer.VALIDATE_RESOURCES))
            .withRules(
                rule(
                    List.of("CREATE", "UPDATE"),
                    DpfApi.GROUP,
                    DpfApi.VERSION,
                    DpfApi.PLURAL_BLOCKS,
                    DpfApi.PLURAL_CLAIMS))
            .withNamespaceSelector(notSystem)
            .withFailurePolicy("Fail")
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .withTimeoutSeconds(5)
            .endWebhook()
            .build();
    return List.of(mutating, validating);
  }

  /**
   * Waits until the operator has written its CA into every webhook's caBundle (until then the API
   * server cannot call them).
   */
  public static void awaitCaBundles(KubernetesClient client, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      var m =
          client
              .admissionRegistration()
              .v1()
              .mutatingWebhookConfigurations()
              .withName("dpf-operator")
              .get();
      var v =
          client
              .admissionRegistration()
              .v1()
              .validatingWebhookConfigurations()
              .withName("dpf-operator")
              .get();
      boolean all =
          m.getWebhooks().stream().allMatch(x -> x.getClientConfig().getCaBundle() != null)
              && v.getWebhooks().stream().allMatch(x -> x.getClientConfig().getCaBundle() != null);
      if (all) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException(
        "the operator did not write its CA into the webhooks in " + max);
  }

  private static WebhookClientConfig url(int port, String path) {
    return new WebhookClientConfigBuilder().withUrl("https://localhost:" + port + path).build();
  }

  private static RuleWithOperations rule(
      List<String> ops, String group, String version, String... resources) {
    return new RuleWithOperationsBuilder()
        .withOperations(ops)
        .withApiGroups(group)
        .withApiVersions(version)
        .withResources(resources)
        .withScope("Namespaced")
        .build();
  }
}
