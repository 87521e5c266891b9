package dev.privacy.dpf.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded API server answers what kubectl asks for: discovery, Tables, HTTP watches, merge and
 * strategic merge patches, a failed JSON Patch test, unknown fields.
 */
class EmbeddedApiServerTest {
  private final EmbeddedApiServer server = new EmbeddedApiServer().start();
  private final NamespacedKubernetesClient client = server.client();
  private final Raw raw = new Raw(server);

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private <T extends HasMetadata> T create(String yaml) {
    return client.resource(Serialization.<T>unmarshal(yaml)).create();
  }

  private static final String BLOCK =
      "apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivateBlock\nmetadata: {name: b1, namespace:"
          + " ml, labels: {a: x, b: y}}\nspec: {dataset: clicks, budget: {epsilon: 1.5, delta:"
          + " 1.0e-6}, allowedNamespaces: [one, two]}";

  @Test
  void discoveryListsBuiltInKindsAndStoredCrdsWithShortNamesAndSubresources() {
    JsonNode api = raw.getJson("/api?timeout=32s");
    assertThat(api.path("kind").asText()).isEqualTo("APIVersions");
    assertThat(api.path("versions").toString()).isEqualTo("[\"v1\"]");

    JsonNode groups = raw.getJson("/apis?timeout=32s");
    assertThat(groups.path("kind").asText()).isEqualTo("APIGroupList");
    List<String> names = new ArrayList<>();
    groups.path("groups").forEach(g -> names.add(g.path("name").asText()));
    assertThat(names)
        .contains(
            "batch",
            "coordination.k8s.io",
            "apiextensions.k8s.io",
            "admissionregistration.k8s.io",
            "dpf.privacy.dev");

    JsonNode core = raw.getJson("/api/v1?timeout=32s");
    assertThat(core.path("kind").asText()).isEqualTo("APIResourceList");
    assertThat(resource(core, "pods").path("shortNames").toString()).isEqualTo("[\"po\"]");
    assertThat(resource(core, "pods/status").path("verbs").toString())
        .isEqualTo("[\"get\",\"patch\",\"update\"]");
    assertThat(resource(core, "namespaces").path("namespaced").asBoolean()).isFalse();

    JsonNode dpf = raw.getJson("/apis/dpf.privacy.dev/v1alpha1?timeout=32s");
    JsonNode claims = resource(dpf, "privacyclaims");
    assertThat(claims.path("kind").asText()).isEqualTo("PrivacyClaim");
    assertThat(claims.path("namespaced").asBoolean()).isTrue();
    assertThat(claims.path("shortNames").toString()).isEqualTo("[\"pcl\"]");
    assertThat(claims.path("verbs").toString()).contains("\"watch\"", "\"patch\"");
    assertThat(resource(dpf, "privacyclaims/status").isMissingNode()).isFalse();
    assertThat(resource(dpf, "privateblocks").path("shortNames").toString()).isEqualTo("[\"pb\"]");

    assertThat(raw.get("/apis/example.com/v1?timeout=32s").statusCode()).isEqualTo(404);
    create(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name:"
            + " widgets.example.com}\nspec:\n  group: example.com\n  scope: Cluster\n  names:"
            + " {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}\n  versions:\n"
            + "  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object,"
            + " x-kubernetes-preserve-unknown-fields: true}}}");
    JsonNode widgets = resource(raw.getJson("/apis/example.com/v1?timeout=32s"), "widgets");
    assertThat(widgets.path("shortNames").toString()).isEqualTo("[\"wd\"]");
    assertThat(widgets.path("namespaced").asBoolean()).isFalse();
    assertThat(raw.getJson("/apis").toString()).contains("\"example.com/v1\"");
  }

  private static JsonNode resource(JsonNode list, String name) {
    for (JsonNode r : list.path("resources")) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  @Test
  void versionAndOpenApiV3TellKubectlTheServerValidatesFields() {
    assertThat(raw.getJson("/version?timeout=5s").path("gitVersion").asText()).startsWith("v1.32");
    JsonNode root = raw.getJson("/openapi/v3?timeout=32s");
    String url =
        root.path("paths").path("apis/dpf.privacy.dev/v1alpha1").path("serverRelativeURL").asText();
    assertThat(url).startsWith("/openapi/v3/apis/dpf.privacy.dev/v1alpha1?hash=");
    JsonNode doc = raw.getJson(url);
    JsonNode patch =
        doc.path("paths")
            .path("/apis/dpf.privacy.dev/v1alpha1/namespaces/{namespace}/privacyclaims/{name}")
            .path("patch");
    assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asText())
        .isEqualTo("PrivacyClaim");
    assertThat(patch.path("parameters").toString()).contains("\"fieldValidation\"");
    assertThat(doc.path("components").path("schemas").has("dev.privacy.dpf.v1alpha1.PrivacyClaim"))
        .isTrue();
    // kubectl before 1.30 reads OpenAPI v2 as protobuf: an empty document (no kinds to validate)
    assertThat(raw.getJson("/openapi/v2").path("swagger").asText()).isEqualTo("2.0");
    HttpResponse<String> pb =
        raw.send(
            "GET",
            "/openapi/v2?timeout=32s",
            null,
            null,
            "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
    assertThat(pb.statusCode()).isEqualTo(200);
    assertThat(pb.body()).startsWith("\n\u00032.0\u0012");
  }

  @Test
  void tableOfCustomResourcesHasThePrinterColumnsAndPartialMetadataRows() {
    create(BLOCK);
    JsonNode t = Raw.json(raw.table("/apis/dpf.privacy.dev/v1alpha1/privateblocks?limit=500"));
    assertThat(t.path("kind").asText()).isEqualTo("Table");
    assertThat(t.path("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
    List<String> columns = new ArrayList<>();
    t.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
    assertThat(columns)
        .containsExactly(
            "Name", "Dataset", "Epsilon", "Delta", "Remaining", "Consumed", "Phase", "Age");
    JsonNode row = t.path("rows").get(0);
    assertThat(row.path("cells").get(0).asText()).isEqualTo("b1");
    assertThat(row.path("cells").get(1).asText()).isEqualTo("clicks");
    assertThat(row.path("cells").get(2).asDouble()).isEqualTo(1.5);
    assertThat(row.path("cells").get(4).isNull()).as("no status yet").isTrue();
    assertThat(row.path("cells").get(7).asText()).matches("\\d+s");
    assertThat(row.path("object").path("kind").asText()).isEqualTo("PartialObjectMetadata");
    assertThat(row.path("object").path("metadata").path("namespace").asText()).isEqualTo("ml");
    assertThat(row.path("object").has("spec")).isFalse();

    JsonNode full =
        Raw.json(
            raw.table(
                "/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks/b1?includeObject=Object"));
    assertThat(full.path("rows").size()).isEqualTo(1);
    assertThat(full.path("rows").get(0).path("object").path("spec").path("dataset").asText())
        .isEqualTo("clicks");
    JsonNode none =
        Raw.json(raw.table("/apis/dpf.privacy.dev/v1alpha1/privateblocks?includeObject=None"));
    assertThat(none.path("rows").get(0).has("object")).isFalse();
  }

  @Test
  void podTableShowsSchedulingGatedForAGatedPodWithoutNode() {
    client
        .pods()
        .inNamespace("ml")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("gated")
                .endMetadata()
                .withNewSpec()
                .addNewSchedulingGate("dpf.privacy.dev/budget")
                .addNewContainer()
                .withName("c")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .build())
        .create();
    client
        .pods()
        .inNamespace("ml")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("free")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("c")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .build())
        .create();
    JsonNode t = Raw.json(raw.table("/api/v1/namespaces/ml/pods"));
    List<String> columns = new ArrayList<>();
    t.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
    assertThat(columns.subList(0, 5)).containsExactly("Name", "Ready", "Status", "Restarts", "Age");
    assertThat(t.path("columnDefinitions").get(6).path("priority").asInt()).isEqualTo(1);
    for (JsonNode row : t.path("rows")) {
      String name = row.path("cells").get(0).asText();
      assertThat(row.path("cells").get(1).asText()).isEqualTo("0/1");
      assertThat(row.path("cells").get(2).asText())
          .isEqualTo(name.equals("gated") ? "SchedulingGated" : "Pending");
    }
  }

  @Test
  void listsNameTheirKindAndClusterScopedObjectsHaveNoNamespaceKey() {
    create(BLOCK);
    JsonNode list = raw.getJson("/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks");
    assertThat(list.path("kind").asText()).isEqualTo("PrivateBlockList");
    assertThat(list.path("apiVersion").asText()).isEqualTo("dpf.privacy.dev/v1alpha1");
    assertThat(list.path("metadata").path("resourceVersion").asText()).isNotEmpty();

    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("n1").endMetadata().build())
        .create();
    raw.patch(
        "/api/v1/namespaces/n1",
        "application/strategic-merge-patch+json",
        "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}");
    JsonNode ns = raw.getJson("/api/v1/namespaces/n1");
    assertThat(ns.path("metadata").path("labels").path("team").asText()).isEqualTo("a");
    assertThat(ns.path("metadata").has("namespace")).isFalse();
  }

  @Test
  void missingObjectsAreNotFoundStatuses() {
    HttpResponse<String> r =
        raw.get("/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privacyclaims/nope");
    assertThat(r.statusCode()).isEqualTo(404);
    JsonNode s = Raw.json(r);
    assertThat(s.path("kind").asText()).isEqualTo("Status");
    assertThat(s.path("reason").asText()).isEqualTo("NotFound");
    assertThat(s.path("message").asText())
        .isEqualTo("privacyclaims.dpf.privacy.dev \"nope\" not found");
    create(BLOCK);
    HttpResponse<String> again =
        raw.post(
            "/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks",
            Serialization.asJson(Serialization.unmarshal(BLOCK)));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(Raw.json(again).path("reason").asText()).isEqualTo("AlreadyExists");
  }

  @Test
  void mergePatchFollowsRfc7386ListsReplacedNullsRemove() {
    create(BLOCK);
    HttpResponse<String> r =
        raw.patch(
            "/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks/b1",
            "application/merge-patch+json",
            "{\"metadata\":{\"labels\":{\"b\":null,\"c\":\"z\"}},\"spec\":{\"allowedNamespaces\":[\"two\"]}}");
    assertThat(r.statusCode()).as(r.body()).isLessThan(300);
    JsonNode b = raw.getJson("/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks/b1");
    assertThat(b.path("metadata").path("labels").toString()).isEqualTo("{\"a\":\"x\",\"c\":\"z\"}");
    assertThat(b.path("spec").path("allowedNamespaces").toString()).isEqualTo("[\"two\"]");
    assertThat(b.path("spec").path("budget").path("epsilon").asDouble()).isEqualTo(1.5);
    // an empty list replaces too, and a patch that changes nothing writes nothing
    raw.patch(
        "/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks/b1",
        "application/merge-patch+json",
        "{\"spec\":{\"allowedNamespaces\":[]}}");
    JsonNode after = raw.getJson("/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks/b1");
    assertThat(after.path("spec").path("allowedNamespaces").size()).isZero();
    String rv = after.path("metadata").path("resourceVersion").asText();
    raw.patch(
        "/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks/b1",
        "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"a\":\"x\"}}}");
    assertThat(
            raw.getJson("/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks/b1")
                .path("metadata")
                .path("resourceVersion")
                .asText())
        .isEqualTo(rv);
  }

  @Test
  void mergePatchWithAStaleResourceVersionIsAConflict() {
    create(BLOCK);
    HttpResponse<String> r =
        raw.patch(
            "/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks/b1",
            "application/merge-patch+json",
            "{\"metadata\":{\"resourceVersion\":\"1\",\"labels\":{\"c\":\"z\"}}}");
    assertThat(r.statusCode()).isEqualTo(409);
  }

  @Test
  void strategicMergePatchMergesContainersByNameAndLabels() {
    client
        .pods()
        .inNamespace("ml")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .addToLabels("app", "x")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("a")
                .withImage("img:1")
                .endContainer()
                .addNewContainer()
                .withName("b")
                .withImage("img:1")
                .endContainer()
                .endSpec()
                .build())
        .create();
    HttpResponse<String> r =
        raw.patch(
            "/api/v1/namespaces/ml/pods/p",
            "application/strategic-merge-patch+json",
            "{\"metadata\":{\"labels\":{\"tier\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"img:2\"}]}}");
    assertThat(r.statusCode()).as(r.body()).isLessThan(300);
    Pod p = client.pods().inNamespace("ml").withName("p").get();
    assertThat(p.getMetadata().getLabels()).containsEntry("app", "x").containsEntry("tier", "web");
    assertThat(p.getSpec().getContainers())
        .extracting(c -> c.getName() + "=" + c.getImage())
        .containsExactly("a=img:1", "b=img:2");
  }

  @Test
  void jsonPatchWhoseTestFailsIsAnsweredWith422() {
    client
        .pods()
        .inNamespace("ml")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("g")
                .endMetadata()
                .withNewSpec()
                .addNewSchedulingGate("dpf.privacy.dev/budget")
                .addNewContainer()
                .withName("c")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .build())
        .create();
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                client
                    .pods()
                    .inNamespace("ml")
                    .withName("g")
                    .patch(
                        PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"test\",\"path\":\"/spec/schedulingGates/0/name\",\"value\":\"other\"},"
                            + "{\"op\":\"remove\",\"path\":\"/spec/schedulingGates/0\"}]"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
            });
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    assertThat(client.pods().inNamespace("ml").withName("g").get().getSpec().getSchedulingGates())
        .hasSize(1);
    // the matching guard removes it
    client
        .pods()
        .inNamespace("ml")
        .withName("g")
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"test\",\"path\":\"/spec/schedulingGates/0/name\",\"value\":\"dpf.privacy.dev/budget\"},"
                + "{\"op\":\"remove\",\"path\":\"/spec/schedulingGates/0\"}]");
    assertThat(client.pods().inNamespace("ml").withName("g").get().getSpec().getSchedulingGates())
        .isEmpty();
  }

  @Test
  void unknownFieldsAreRefusedUnderStrictAndPrunedWithAWarningOtherwise() {
    String body =
        "{\"apiVersion\":\"dpf.privacy.dev/v1alpha1\",\"kind\":\"PrivateBlock\",\"metadata\":{\"name\":\"u\"},"
            + "\"spec\":{\"dataset\":\"d\",\"budget\":{\"epsilon\":1,\"delta\":0},\"unlock\":{\"policy\":\"dpf-n\",\"false\":4}}}";
    HttpResponse<String> strict =
        raw.post(
            "/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks?fieldValidation=Strict",
            body);
    assertThat(strict.statusCode()).isEqualTo(400);
    assertThat(Raw.json(strict).path("message").asText())
        .isEqualTo(
            "PrivateBlock in version \"v1alpha1\" cannot be handled as a PrivateBlock: strict"
                + " decoding error: unknown field \"spec.unlock.false\"");
    HttpResponse<String> warn =
        raw.post("/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks", body);
    assertThat(warn.statusCode()).isEqualTo(201);
    assertThat(warn.headers().allValues("Warning"))
        .containsExactly("299 - \"unknown field \\\"spec.unlock.false\\\"\"");
    assertThat(
            raw.getJson("/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks/u")
                .path("spec")
                .path("unlock")
                .toString())
        .isEqualTo("{\"policy\":\"dpf-n\"}");
  }

  /** A body as kubectl create namespace sends it (captured from kubectl 1.32). */
  private static final String NAMESPACE_PB =
      "6b3873000a0f0a02763112094e616d657370616365121b0a130a03666f6f12001a0022002a0032003800420012001a020a001a002200";

  /** kubectl create secret generic s1 -n ml --from-literal=a=b. */
  private static final String SECRET_PB =
      "6b3873000a0c0a027631120653656372657412200a140a02733112001a026d6c22002a0032003800420012060a01611201621a001a002200";

  private HttpResponse<String> postProtobuf(String path, String hex) {
    return raw.sendBytes(
        "POST",
        path,
        "application/vnd.kubernetes.protobuf",
        java.util.HexFormat.of().parseHex(hex));
  }

  @Test
  void protobufBodiesOfKubectlCreateNamespaceAndSecretAreUnderstood() {
    HttpResponse<String> ns = postProtobuf("/api/v1/namespaces", NAMESPACE_PB);
    assertThat(ns.statusCode()).as(ns.body()).isEqualTo(201);
    assertThat(client.namespaces().withName("foo").get()).isNotNull();
    assertThat(postProtobuf("/api/v1/namespaces/ml/secrets", SECRET_PB).statusCode())
        .isEqualTo(201);
    var secret = client.secrets().inNamespace("ml").withName("s1").get();
    assertThat(secret.getData()).containsEntry("a", "Yg=="); // "b"
    HttpResponse<String> pod =
        raw.sendBytes(
            "POST",
            "/api/v1/namespaces/ml/pods",
            "application/vnd.kubernetes.protobuf",
            java.util.HexFormat.of().parseHex("6b3873000a090a02763112035f6f641200"));
    assertThat(pod.statusCode()).isEqualTo(415);
  }

  @Test
  void httpWatchStreamsChangesAfterItsResourceVersionOnly() throws Exception {
    create(BLOCK);
    String rv =
        raw.getJson("/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks")
            .path("metadata")
            .path("resourceVersion")
            .asText();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    HttpResponse<java.io.InputStream> stream =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            server.url()
                                + "/apis/dpf.privacy.dev/v1alpha1/namespaces/ml/privateblocks?allowWatchBookmarks=true&fieldSelector=metadata.name%3Db2&resourceVersion="
                                + rv
                                + "&timeoutSeconds=20&watch=true"))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  lines.add(l);
                }
              } catch (java.io.IOException e) {
                // closed
              }
            });
    reader.setDaemon(true);
    reader.start();
    create(BLOCK.replace("name: b1", "name: b2"));
    String first = lines.poll(10, TimeUnit.SECONDS);
    assertThat(first).isNotNull();
    JsonNode event = Raw.JSON.readTree(first);
    assertThat(event.path("type").asText()).isEqualTo("ADDED");
    assertThat(event.path("object").path("metadata").path("name").asText()).isEqualTo("b2");
    client
        .resources(dev.privacy.dpf.crds.PrivateBlock.class)
        .inNamespace("ml")
        .withName("b2")
        .delete();
    String second = lines.poll(10, TimeUnit.SECONDS);
    assertThat(Raw.JSON.readTree(second).path("type").asText()).isEqualTo("DELETED");
    assertThat(lines).as("b1 is not replayed, b2 only").isEmpty();
  }

  @Test
  void informersOfTheClientWork() {
    var seen = new java.util.concurrent.ConcurrentLinkedQueue<String>();
    try (var inf =
        client
            .namespaces()
            .inform(
                new io.fabric8.kubernetes.client.informers.ResourceEventHandler<Namespace>() {
                  @Override
                  public void onAdd(Namespace obj) {
                    seen.add("add " + obj.getMetadata().getName());
                  }

                  @Override
                  public void onUpdate(Namespace o, Namespace n) {
                    seen.add("update " + n.getMetadata().getName());
                  }

                  @Override
                  public void onDelete(Namespace obj, boolean unknown) {
                    seen.add("delete " + obj.getMetadata().getName());
                  }
                })) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName("w1").endMetadata().build())
          .create();
      client
          .namespaces()
          .withName("w1")
          .edit(
              n -> {
                n.getMetadata().setLabels(java.util.Map.of("k", "v"));
                return n;
              });
      client.namespaces().withName("w1").delete();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(seen).containsExactly("add w1", "update w1", "delete w1"));
    }
  }

  private void event(String name, String about, String reason) {
    create(
        "apiVersion: v1\nkind: Event\nmetadata: {name: "
            + name
            + ", namespace: ml}\ninvolvedObject: {kind: PrivacyClaim, name: "
            + about
            + ", namespace: ml}\nreason: "
            + reason
            + "\ntype: Normal\nmessage: m-"
            + name
            + "\nlastTimestamp: \"2026-01-01T00:00:00Z\"");
  }

  @Test
  void fieldSelectorsTheStoreCannotEvaluateAreEvaluatedHereAsDescribeAsksForEvents() {
    event("e1", "c1", "Granted");
    event("e2", "c2", "Granted");
    event("e3", "c1", "Denied");
    JsonNode list =
        raw.getJson(
            "/api/v1/namespaces/ml/events?fieldSelector=involvedObject.name%3Dc1%2CinvolvedObject.namespace%3Dml&limit=500");
    List<String> names = new ArrayList<>();
    list.path("items").forEach(e -> names.add(e.path("metadata").path("name").asText()));
    assertThat(names).containsExactlyInAnyOrder("e1", "e3");
    JsonNode notGranted =
        raw.getJson("/api/v1/namespaces/ml/events?fieldSelector=reason!%3DGranted");
    assertThat(notGranted.path("items").size()).isEqualTo(1);
    JsonNode byName = raw.getJson("/api/v1/namespaces/ml/events?fieldSelector=metadata.name%3De2");
    assertThat(byName.path("items").get(0).path("metadata").path("name").asText()).isEqualTo("e2");
  }

  @Test
  void eventTablesPrintTheNameLastAndOnlyWide() {
    event("e1", "c1", "Granted");
    JsonNode t = Raw.json(raw.table("/api/v1/namespaces/ml/events"));
    List<String> columns = new ArrayList<>();
    t.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
    assertThat(columns).containsExactly("Last Seen", "Type", "Reason", "Object", "Message", "Name");
    assertThat(t.path("columnDefinitions").get(5).path("priority").asInt()).isEqualTo(1);
    JsonNode cells = t.path("rows").get(0).path("cells");
    assertThat(cells.get(3).asText()).isEqualTo("privacyclaim/c1");
    assertThat(cells.get(4).asText()).isEqualTo("m-e1");
    assertThat(cells.get(5).asText()).isEqualTo("e1");
  }

  @Test
  void deletingANamespaceDeletesItsObjectsAndKeepsThoseWithFinalizersUntilTheyGo() {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("ml").endMetadata().build())
        .create();
    create(BLOCK);
    create(
        BLOCK
            .replace("name: b1", "name: b2")
            .replace("labels: {a: x, b: y}", "finalizers: [test/keep]"));
    create(BLOCK.replace("namespace: ml", "namespace: other"));
    client.namespaces().withName("ml").delete();
    var blocks = client.resources(dev.privacy.dpf.crds.PrivateBlock.class);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(blocks.inNamespace("ml").withName("b1").get()).isNull());
    var kept = blocks.inNamespace("ml").withName("b2").get();
    assertThat(kept.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(blocks.inNamespace("other").withName("b1").get()).isNotNull();
  }

  @Test
  void aMalformedBodyIsABadRequest() {
    HttpResponse<String> r =
        raw.send(
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            "application/json",
            "{not json",
            "application/json");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Raw.json(r).path("reason").asText()).isEqualTo("BadRequest");
  }
}
