package dev.privacy.dpf.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded API server calls the admission webhooks registered in it, over HTTPS, as a real API
 * server does: rules, selectors, failure policy, mutation before validation, denials as errors.
 */
class AdmissionWebhookTest {
  private final EmbeddedApiServer server = new EmbeddedApiServer().start();
  private final NamespacedKubernetesClient client = server.client();
  private final TestWebhook hook;

  AdmissionWebhookTest() throws Exception {
    hook = new TestWebhook();
  }

  @AfterEach
  void stop() {
    hook.close();
    client.close();
    server.close();
  }

  private void register(String kind, String webhooks) {
    String yaml =
        "apiVersion: admissionregistration.k8s.io/v1\nkind: "
            + kind
            + "\nmetadata: {name: test-"
            + kind.toLowerCase()
            + "}\nwebhooks:\n"
            + webhooks;
    client.resource((HasMetadata) Serialization.unmarshal(yaml)).create();
  }

  /** One webhook entry; {@code extra} lines are indented under it. */
  private String webhook(String name, String path, String rules, String extra) {
    return "- name: "
        + name
        + "\n  admissionReviewVersions: [v1]\n  sideEffects: None\n  clientConfig:\n    url: "
        + hook.url(path)
        + "\n    caBundle: "
        + hook.caBundle()
        + "\n  rules: "
        + rules
        + "\n"
        + extra;
  }

  private static final String PODS_CREATE =
      "[{operations: [CREATE], apiGroups: [\"\"], apiVersions: [v1], resources: [pods]}]";

  private Pod pod(String ns, String name, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void mutatingWebhookPatchesTheCreatedPodBeforeTheValidatingOneSeesIt() {
    register("MutatingWebhookConfiguration", webhook("gate.test.dev", "/mutate", PODS_CREATE, ""));
    register(
        "ValidatingWebhookConfiguration", webhook("check.test.dev", "/validate", PODS_CREATE, ""));
    hook.decide(
        req ->
            req.path("object").path("spec").has("schedulingGates")
                ? TestWebhook.allow()
                : TestWebhook.patch(
                    "[{\"op\":\"add\",\"path\":\"/spec/schedulingGates\",\"value\":[{\"name\":\"dpf.privacy.dev/budget\"}]}]"));
    client.pods().resource(pod("ml", "p1", Map.of("app", "x"))).create();

    Pod stored = client.pods().inNamespace("ml").withName("p1").get();
    assertThat(stored.getSpec().getSchedulingGates())
        .extracting(g -> g.getName())
        .containsExactly("dpf.privacy.dev/budget");
    assertThat(hook.requests).hasSize(2);
    JsonNode mutate = hook.requests.get(0);
    assertThat(mutate.path("operation").asText()).isEqualTo("CREATE");
    assertThat(mutate.path("kind").toString())
        .isEqualTo("{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}");
    assertThat(mutate.path("resource").path("resource").asText()).isEqualTo("pods");
    assertThat(mutate.path("namespace").asText()).isEqualTo("ml");
    assertThat(mutate.path("name").asText()).isEqualTo("p1");
    assertThat(mutate.path("dryRun").asBoolean()).isFalse();
    assertThat(mutate.path("userInfo").path("username").asText()).isNotEmpty();
    assertThat(mutate.path("oldObject").isNull()).isTrue();
    JsonNode validate = hook.requests.get(1);
    assertThat(validate.path("object").path("spec").path("schedulingGates").size())
        .as("the validating webhook sees the mutated pod")
        .isEqualTo(1);
  }

  @Test
  void aDenialIsTheRequestsErrorWithTheWebhooksCodeAndMessage() {
    register(
        "ValidatingWebhookConfiguration",
        webhook("enforce.test.dev", "/validate", PODS_CREATE, ""));
    hook.decide(req -> TestWebhook.deny(403, "pods that request GPUs need a claim label"));
    assertThatThrownBy(() -> client.pods().resource(pod("ml", "p1", Map.of())).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "admission webhook \"enforce.test.dev\" denied the request: pods that"
                          + " request GPUs need a claim label");
            });
    assertThat(client.pods().inNamespace("ml").withName("p1").get()).isNull();
    hook.decide(req -> TestWebhook.deny(0, ""));
    assertThatThrownBy(() -> client.pods().resource(pod("ml", "p2", Map.of())).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(400);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "admission webhook \"enforce.test.dev\" denied the request without"
                          + " explanation");
            });
  }

  @Test
  void namespaceSelectorMatchesTheStoredNamespacesLabels() {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("enforced")
                .addToLabels("dpf.privacy.dev/enforce", "true")
                .endMetadata()
                .build())
        .create();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("free").endMetadata().build())
        .create();
    register(
        "ValidatingWebhookConfiguration",
        webhook(
            "enforce.test.dev",
            "/validate",
            PODS_CREATE,
            "  namespaceSelector:\n    matchExpressions:\n    - {key: dpf.privacy.dev/enforce,"
                + " operator: In, values: [\"true\"]}\n"));
    hook.decide(req -> TestWebhook.deny(403, "no"));
    client.pods().resource(pod("free", "p", Map.of())).create();
    assertThatThrownBy(() -> client.pods().resource(pod("enforced", "p", Map.of())).create())
        .isInstanceOf(KubernetesClientException.class);
    assertThat(hook.requests)
        .extracting(r -> r.path("namespace").asText())
        .containsExactly("enforced");
  }

  @Test
  void objectSelectorMatchesTheNewOrTheOldLabels() {
    register(
        "ValidatingWebhookConfiguration",
        webhook(
            "claims.test.dev",
            "/validate",
            "[{operations: [CREATE, UPDATE], apiGroups: [\"\"], apiVersions: [v1], resources: [pods]}]",
            "  objectSelector:\n    matchExpressions:\n    - {key: dpf.privacy.dev/claim, operator:"
                + " Exists}\n"));
    client.pods().resource(pod("ml", "plain", Map.of())).create();
    assertThat(hook.requests).isEmpty();
    client.pods().resource(pod("ml", "claimed", Map.of("dpf.privacy.dev/claim", "c1"))).create();
    assertThat(hook.requests).hasSize(1);
    // removing the label is an UPDATE the webhook still sees (the old object matches)
    client
        .pods()
        .inNamespace("ml")
        .withName("claimed")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"dpf.privacy.dev/claim\":null}}}");
    assertThat(hook.requests).hasSize(2);
    JsonNode update = hook.requests.get(1);
    assertThat(update.path("operation").asText()).isEqualTo("UPDATE");
    assertThat(update.path("object").path("metadata").path("labels").has("dpf.privacy.dev/claim"))
        .isFalse();
    assertThat(
            update
                .path("oldObject")
                .path("metadata")
                .path("labels")
                .path("dpf.privacy.dev/claim")
                .asText())
        .isEqualTo("c1");
  }

  @Test
  void rulesOnPodsDoNotMatchThePodStatusSubresourceButPodsSlashStatusDoes() {
    register(
        "ValidatingWebhookConfiguration",
        webhook(
                "main.test.dev",
                "/main",
                "[{operations: [UPDATE], apiGroups: [\"\"], apiVersions: [v1], resources: [pods]}]",
                "")
            + webhook(
                "status.test.dev",
                "/status",
                "[{operations: [UPDATE], apiGroups: [\"*\"], apiVersions: [\"*\"], resources:"
                    + " [pods/status]}]",
                ""));
    client.pods().resource(pod("ml", "p", Map.of())).create();
    Pod p = client.pods().inNamespace("ml").withName("p").get();
    p.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
    client.pods().resource(p).updateStatus();
    assertThat(hook.requests).hasSize(1);
    assertThat(hook.requests.get(0).path("subResource").asText()).isEqualTo("status");
    client
        .pods()
        .inNamespace("ml")
        .withName("p")
        .edit(
            x -> {
              x.getMetadata().setLabels(Map.of("a", "b"));
              return x;
            });
    assertThat(hook.requests).hasSize(2);
    assertThat(hook.requests.get(1).has("subResource")).isFalse();
  }

  @Test
  void anUnreachableWebhookFailsTheRequestUnderFailAndIsSkippedUnderIgnore() {
    String down = "https://localhost:1/nothing-listens-here";
    client
        .resource(
            (HasMetadata)
                Serialization.unmarshal(
                    "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n"
                        + "metadata: {name: down}\nwebhooks:\n- name: down.test.dev\n"
                        + "  admissionReviewVersions: [v1]\n  sideEffects: None\n  timeoutSeconds: 2\n"
                        + "  failurePolicy: Ignore\n  clientConfig: {url: \""
                        + down
                        + "\"}\n  rules: "
                        + PODS_CREATE))
        .create();
    client.pods().resource(pod("ml", "ok", Map.of())).create(); // Ignore: allowed
    client
        .resource(
            (HasMetadata)
                Serialization.unmarshal(
                    "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n"
                        + "metadata: {name: svc}\nwebhooks:\n- name: svc.test.dev\n"
                        + "  admissionReviewVersions: [v1]\n  sideEffects: None\n"
                        + "  clientConfig: {service: {namespace: dpf-system, name: dpf-webhook}}\n  rules: "
                        + PODS_CREATE))
        .create();
    assertThatThrownBy(() -> client.pods().resource(pod("ml", "no", Map.of())).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(500);
              assertThat(e.getStatus().getMessage())
                  .contains("failed calling webhook \"svc.test.dev\"")
                  .contains("service dpf-system/dpf-webhook");
            });
  }

  @Test
  void deletesAreAdmittedWithTheOldObject() {
    register(
        "ValidatingWebhookConfiguration",
        webhook(
            "protect.test.dev",
            "/delete",
            "[{operations: [DELETE], apiGroups: [dpf.privacy.dev], apiVersions: [v1alpha1], resources: [privateblocks]}]",
            ""));
    client
        .resource(
            (HasMetadata)
                Serialization.unmarshal(
                    "apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivateBlock\nmetadata: {name: b,"
                        + " namespace: ml}\nspec: {dataset: d, budget: {epsilon: 1, delta: 0}}"))
        .create();
    hook.decide(req -> TestWebhook.deny(403, "blocks are kept"));
    var blocks = client.resources(dev.privacy.dpf.crds.PrivateBlock.class).inNamespace("ml");
    assertThatThrownBy(() -> blocks.withName("b").delete())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("blocks are kept");
    assertThat(blocks.withName("b").get()).isNotNull();
    JsonNode req = hook.requests.get(0);
    assertThat(req.path("operation").asText()).isEqualTo("DELETE");
    assertThat(req.path("object").isNull()).isTrue();
    assertThat(req.path("oldObject").path("spec").path("dataset").asText()).isEqualTo("d");
    hook.decide(r -> TestWebhook.allow());
    blocks.withName("b").delete();
    assertThat(blocks.withName("b").get()).isNull();
  }

  @Test
  void aPatchIsAdmittedAsThePatchedObjectAndAMutationIsStored() {
    register(
        "MutatingWebhookConfiguration",
        webhook(
            "stamp.test.dev",
            "/mutate",
            "[{operations: [UPDATE], apiGroups: [\"\"], apiVersions: [v1], resources: [pods]}]",
            ""));
    hook.decide(
        req ->
            TestWebhook.patch(
                "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"stamped\":\"yes\"}}]"));
    client.pods().resource(pod("ml", "p", Map.of())).create();
    client
        .pods()
        .inNamespace("ml")
        .withName("p")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"x\":\"1\"}}}");
    Pod p = client.pods().inNamespace("ml").withName("p").get();
    assertThat(p.getMetadata().getLabels()).containsEntry("x", "1");
    assertThat(p.getMetadata().getAnnotations()).containsEntry("stamped", "yes");
    assertThat(
            hook.requests.get(0).path("object").path("metadata").path("labels").path("x").asText())
        .isEqualTo("1");
    assertThat(
            List.of(
                hook.requests.get(0).path("oldObject").path("metadata").path("labels").has("x")))
        .containsExactly(false);
  }
}
