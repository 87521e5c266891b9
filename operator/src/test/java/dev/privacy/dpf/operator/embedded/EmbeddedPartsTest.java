package dev.privacy.dpf.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The embedded server's pieces on their own: paths, patches, JSONPath, selectors, ages, flags. */
class EmbeddedPartsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode j(String s) throws Exception {
    return JSON.readTree(s.replace('\'', '"'));
  }

  @Test
  void pathsSplitIntoGroupVersionNamespaceResourceNameAndSubresource() {
    assertThat(ResourcePath.parse("/api/v1/namespaces/ml/pods/p1/status"))
        .isEqualTo(new ResourcePath("", "v1", "ml", "pods", "p1", "status"));
    assertThat(ResourcePath.parse("/apis/dpf.privacy.dev/v1alpha1/privacyclaims"))
        .isEqualTo(
            new ResourcePath("dpf.privacy.dev", "v1alpha1", null, "privacyclaims", null, null));
    assertThat(ResourcePath.parse("/api/v1/namespaces/ml"))
        .isEqualTo(new ResourcePath("", "v1", null, "namespaces", "ml", null));
    assertThat(ResourcePath.parse("/api/v1/namespaces/ml/finalize"))
        .isEqualTo(new ResourcePath("", "v1", null, "namespaces", "ml", "finalize"));
    assertThat(ResourcePath.parse("/api/v1/namespaces/ml/events"))
        .isEqualTo(new ResourcePath("", "v1", "ml", "events", null, null));
    assertThat(ResourcePath.parse("/version")).isNull();
    assertThat(ResourcePath.query("/x?fieldSelector=metadata.name%3Dp1&watch=true"))
        .containsEntry("fieldSelector", "metadata.name=p1")
        .containsEntry("watch", "true");
  }

  @Test
  void mergePatchIsRfc7386() throws Exception {
    // the example of RFC 7386 section 3
    JsonNode target =
        j(
            "{'title':'Goodbye!','author':{'givenName':'John','familyName':'Doe'},'tags':['example','sample'],'content':'This will be unchanged'}");
    JsonNode patch =
        j(
            "{'title':'Hello!','phoneNumber':'+01-123-456-7890','author':{'familyName':null},'tags':['example']}");
    assertThat(Patches.mergePatch(target, patch))
        .isEqualTo(
            j(
                "{'title':'Hello!','author':{'givenName':'John'},'tags':['example'],'content':'This will be unchanged','phoneNumber':'+01-123-456-7890'}"));
  }

  @Test
  void strategicMergePatchMergesKeyedListsAndHonoursDirectives() throws Exception {
    JsonNode pod =
        j(
            "{'kind':'Pod','metadata':{'finalizers':['a'],'labels':{'x':'1','y':'2'}},'spec':{'containers':[{'name':'a','image':'1','env':[{'name':'E','value':'1'}]},{'name':'b','image':'1'}],'tolerations':[{'key':'t1'}]}}");
    JsonNode patch =
        j(
            "{'metadata':{'finalizers':['b'],'labels':{'y':null}},'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],'containers':[{'name':'a','env':[{'name':'F','value':'2'}]},{'name':'c','image':'3'}],'tolerations':[{'key':'t2'}]}}");
    JsonNode out = Patches.strategicMergePatch(pod, patch, "Pod");
    assertThat(out.path("metadata")).isEqualTo(j("{'finalizers':['a','b'],'labels':{'x':'1'}}"));
    assertThat(out.path("spec").path("containers"))
        .isEqualTo(
            j(
                "[{'name':'b','image':'1'},{'name':'a','image':'1','env':[{'name':'E','value':'1'},{'name':'F','value':'2'}]},{'name':'c','image':'3'}]"));
    assertThat(out.path("spec").path("tolerations"))
        .as("no merge key: replaced")
        .isEqualTo(j("[{'key':'t2'}]"));
    JsonNode deletes =
        j(
            "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a'],'labels':{'$patch':'replace','z':'9'}},'spec':{'containers':[{'name':'b','$patch':'delete'}]}}");
    JsonNode out2 = Patches.strategicMergePatch(pod, deletes, "Pod");
    assertThat(out2.path("metadata").path("finalizers").size()).isZero();
    assertThat(out2.path("spec").path("containers").size()).isEqualTo(1);
    assertThat(out2.path("metadata").path("labels")).isEqualTo(j("{'z':'9'}"));
  }

  @Test
  void aDiffIsAJsonPatchFromOneDocumentToTheOther() throws Exception {
    JsonNode from = j("{'a':{'b':1,'c':[1,2]},'d/e':'x','f':1}");
    JsonNode to = j("{'a':{'b':2,'c':[2]},'d/e':'y','g':true}");
    JsonNode ops = Patches.diff(from, to);
    assertThat(io.fabric8.zjsonpatch.JsonPatch.apply(ops, from)).isEqualTo(to);
    assertThat(ops.toString()).contains("\"/d~1e\"");
    assertThat(Patches.diff(from, from).size()).isZero();
  }

  @Test
  void jsonPatchThatFailsIsA422Failure() throws Exception {
    assertThatThrownBy(
            () -> Patches.jsonPatch(j("{'a':1}"), j("[{'op':'test','path':'/a','value':2}]")))
        .isInstanceOfSatisfying(Patches.PatchFailure.class, f -> assertThat(f.code).isEqualTo(422));
  }

  @Test
  void printerColumnJsonPathsSelectFieldsIndexesAndFilters() throws Exception {
    JsonNode o =
        j(
            "{'metadata':{'labels':{'app.kubernetes.io/name':'x'}},'status':{'phase':'Allocated','grants':[{'block':'b1'},{'block':'b2'}],'conditions':[{'type':'Valid','status':'True'},{'type':'Allocated','status':'False'}]}}");
    assertThat(JsonPathLite.first(o, ".status.phase").asText()).isEqualTo("Allocated");
    assertThat(JsonPathLite.first(o, "{.status.grants[1].block}").asText()).isEqualTo("b2");
    assertThat(JsonPathLite.select(o, ".status.grants[*].block")).hasSize(2);
    assertThat(
            JsonPathLite.first(o, ".status.conditions[?(@.type==\"Allocated\")].status").asText())
        .isEqualTo("False");
    assertThat(JsonPathLite.first(o, ".metadata.labels.app\\.kubernetes\\.io/name").asText())
        .isEqualTo("x");
    assertThat(JsonPathLite.first(o, ".metadata.labels['app.kubernetes.io/name']").asText())
        .isEqualTo("x");
    assertThat(JsonPathLite.first(o, ".status.missing.deeper")).isNull();
  }

  @Test
  void labelSelectorsMatchLabelsAndExpressions() throws Exception {
    JsonNode sel =
        j(
            "{'matchLabels':{'team':'ml'},'matchExpressions':[{'key':'tier','operator':'In','values':['a','b']},{'key':'legacy','operator':'DoesNotExist'},{'key':'env','operator':'NotIn','values':['prod']}]}");
    assertThat(LabelSelectors.matches(sel, Map.of("team", "ml", "tier", "a"))).isTrue();
    assertThat(LabelSelectors.matches(sel, Map.of("team", "ml", "tier", "c"))).isFalse();
    assertThat(LabelSelectors.matches(sel, Map.of("team", "ml", "tier", "b", "legacy", "1")))
        .isFalse();
    assertThat(LabelSelectors.matches(sel, Map.of("team", "ml", "tier", "b", "env", "prod")))
        .isFalse();
    assertThat(
            LabelSelectors.matches(
                j("{'matchExpressions':[{'key':'k','operator':'Exists'}]}"), Map.of()))
        .isFalse();
    assertThat(LabelSelectors.matches(j("{}"), Map.of())).isTrue();
  }

  @Test
  void webhookResourcePatternsTellResourcesFromSubresources() {
    assertThat(Admission.resourceMatches(Set.of("pods"), "pods", null)).isTrue();
    assertThat(Admission.resourceMatches(Set.of("pods"), "pods", "status")).isFalse();
    assertThat(Admission.resourceMatches(Set.of("pods/status"), "pods", "status")).isTrue();
    assertThat(Admission.resourceMatches(Set.of("pods/*"), "pods", "status")).isTrue();
    assertThat(Admission.resourceMatches(Set.of("*/status"), "jobs", "status")).isTrue();
    assertThat(Admission.resourceMatches(Set.of("*"), "jobs", null)).isTrue();
    assertThat(Admission.resourceMatches(Set.of("*"), "jobs", "status")).isFalse();
    assertThat(Admission.resourceMatches(Set.of("*/*"), "jobs", "status")).isTrue();
  }

  @Test
  void agesPrintAsKubectlPrintsThem() {
    assertThat(Tables.human(Duration.ofSeconds(5))).isEqualTo("5s");
    assertThat(Tables.human(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(Tables.human(Duration.ofSeconds(150))).isEqualTo("2m30s");
    assertThat(Tables.human(Duration.ofMinutes(42))).isEqualTo("42m");
    assertThat(Tables.human(Duration.ofMinutes(190))).isEqualTo("3h10m");
    assertThat(Tables.human(Duration.ofHours(30))).isEqualTo("30h");
    assertThat(Tables.human(Duration.ofHours(75))).isEqualTo("3d3h");
    assertThat(Tables.human(Duration.ofDays(40))).isEqualTo("40d");
  }

  @Test
  void serveApiFlagsAreParsedAndBadOnesNamed() {
    ServeApi.Flags f =
        ServeApi.parse(
            new String[] {
              "--port=8443", "--kubeconfig=/tmp/k", "--simulate-nodes=true", "--pod-run-time=500ms"
            });
    assertThat(f.port()).isEqualTo(8443);
    assertThat(f.simulate()).isTrue();
    assertThat(f.podRunTime()).isEqualTo(Duration.ofMillis(500));
    assertThat(f.context()).isEqualTo("dpf-embedded");
    assertThatThrownBy(() -> ServeApi.parse(new String[] {"--port=http"}))
        .hasMessage("--port: expected a port number from 0 to 65535, got 'http'");
    assertThatThrownBy(() -> ServeApi.parse(new String[] {"--simulate-nodes=yes"}))
        .hasMessage("--simulate-nodes: expected true or false, got 'yes'");
    assertThatThrownBy(() -> ServeApi.parse(new String[] {"--pod-run-time=soon"}))
        .hasMessage(
            "--pod-run-time: expected a duration such as 500ms, 3s, 2m or PT3S, got 'soon'");
    assertThatThrownBy(() -> ServeApi.parse(new String[] {"--prot=1"}))
        .hasMessage("unknown flag --prot (see serve-api --help)");
    assertThatThrownBy(() -> ServeApi.parse(new String[] {"--kubeconfig"}))
        .hasMessage("--kubeconfig: a value is required (--kubeconfig=...)");
  }
}
