package dev.privacy.dpf.e2e.chart;

import static dev.privacy.dpf.e2e.chart.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.operator.OperatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code helm template} with each major option: what changes, and what the operator then runs. */
class ChartOptionsTest {

  /** The operator's configuration as the rendered Deployment starts it. */
  static OperatorConfig config(Chart.Rendered r) {
    return OperatorConfig.parse(r.expandedArgs("dpf-operator-7d9f-x2k4"), Map.of());
  }

  @Test
  void dpfTWithALifetime() {
    Chart.Rendered r = Chart.render("operator: {policy: dpf-t, lifetime: 72h, defaultTimeout: 6h}");
    OperatorConfig c = config(r);
    assertThat(c.policy()).isEqualTo("dpf-t");
    assertThat(c.lifetime()).isEqualTo(Duration.ofHours(72));
    assertThat(c.defaultTimeout()).isEqualTo(Duration.ofHours(6));
  }

  @Test
  void oneReplicaWithoutLeaderElectionHasNoLeaseAndNoLeaseAccess() {
    Chart.Rendered r = Chart.render("replicaCount: 1\nleaderElection: {enabled: false}");
    assertThat((Object) at(r.deployment(), "spec", "replicas")).isEqualTo(1);
    assertThat(config(r).leaderElection()).isFalse();
    assertThat(r.text).doesNotContain("leases").doesNotContain("selfsubjectrulesreviews");
  }

  @Test
  void leaderElectionUsesALeaseOfTheReleaseNamespaceUnderThePodsName() {
    Chart.Rendered r = Chart.render("replicaCount: 3\nleaderElection: {leaseName: dpf-leader}");
    assertThat((Object) at(r.deployment(), "spec", "replicas")).isEqualTo(3);
    OperatorConfig c = config(r);
    assertThat(c.leaderElection()).isTrue();
    assertThat(c.leaseName()).isEqualTo("dpf-leader");
    assertThat(c.leaseNamespace()).isEqualTo("dpf-system");
    assertThat(c.identity()).isEqualTo("dpf-operator-7d9f-x2k4");
    assertThat(c.webhookNamespace()).isEqualTo("dpf-system");
  }

  @Test
  void aNamespacesListLimitsTheOperatorAndItsRolesToThem() {
    Chart.Rendered r = Chart.render("operator: {namespaces: [ml, research]}");
    assertThat(config(r).namespaces()).containsExactlyInAnyOrder("ml", "research");
    assertThat(r.inventory())
        .contains("Role/dpf-operator-watched", "RoleBinding/dpf-operator-watched")
        .contains("ClusterRole/dpf-operator");
    assertThat(r.all("Role"))
        .extracting(o -> at(o, "metadata", "namespace"))
        .containsExactlyInAnyOrder("dpf-system", "ml", "research");
    // the ClusterRole keeps only cluster-scoped objects
    Map<String, Object> cr = r.named("ClusterRole", "dpf-operator");
    List<Map<String, Object>> rules = at(cr, "rules");
    assertThat(rules)
        .flatExtracting(x -> Chart.<List<String>>at(x, "resources"))
        .containsExactlyInAnyOrder(
            "namespaces",
            "nodes",
            "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations",
            "selfsubjectrulesreviews");
  }

  @Test
  void deniedPodsDeleteAlsoGrantsDeletingPods() {
    Chart.Rendered keep = Chart.render("");
    Chart.Rendered delete = Chart.render("operator: {deniedPods: delete}");
    assertThat(config(delete).deniedPods()).isEqualTo("delete");
    ChartRbacTest.Grant deletePods =
        new ChartRbacTest.Grant("ClusterRole", "", "pods", "delete", List.of());
    assertThat(ChartRbacTest.granted(delete)).contains(deletePods);
    assertThat(ChartRbacTest.granted(keep)).doesNotContain(deletePods);
  }

  @Test
  void customGpuResourcesAndProtectedNodes() {
    Chart.Rendered r =
        Chart.render(
            "operator:\n  gpuResources: [nvidia.com/gpu, example.com/tpu]\n"
                + "  protectedNodeLabel: pool=sensitive\n");
    OperatorConfig c = config(r);
    assertThat(c.gpuResources()).containsExactly("nvidia.com/gpu", "example.com/tpu");
    assertThat(c.protectedNodeLabel()).isEqualTo("pool=sensitive");
    Chart.Rendered none = Chart.render("operator: {protectedNodeLabel: \"\"}");
    assertThat(config(none).protectedNodeLabel()).isEmpty();
  }

  @Test
  void resourcesNodeSelectorTolerationsAffinityAndPodMetadataGoToThePod() {
    Chart.Rendered r =
        Chart.render(
            "resources: {requests: {cpu: 250m, memory: 1Gi}, limits: {memory: 1Gi}}\n"
                + "nodeSelector: {node-role.kubernetes.io/control-plane: \"\"}\n"
                + "tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists,"
                + " effect: NoSchedule}]\n"
                + "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution:"
                + " {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values:"
                + " [a]}]}]}}}\n"
                + "priorityClassName: system-cluster-critical\n"
                + "podAnnotations: {example.com/scrape: \"false\"}\n"
                + "podLabels: {team: privacy}\n"
                + "extraEnv: [{name: JAVA_TOOL_OPTIONS, value: -Xss512k}]\n"
                + "image: {repository: registry.example.com/dpf/dpf-operator, tag: 0.1.0-rc1,"
                + " pullPolicy: Always}\n"
                + "imagePullSecrets: [{name: regcred}]\n");
    Map<String, Object> pod = at(r.deployment(), "spec", "template", "spec");
    assertThat((Object) at(r.container(), "resources"))
        .isEqualTo(
            Map.of(
                "requests",
                Map.of("cpu", "250m", "memory", "1Gi"),
                // Helm merges maps: the default CPU limit stays unless set to null
                "limits",
                Map.of("cpu", "1", "memory", "1Gi")));
    assertThat((Object) at(pod, "nodeSelector"))
        .isEqualTo(Map.of("node-role.kubernetes.io/control-plane", ""));
    assertThat((Object) at(pod, "tolerations", 0, "key"))
        .isEqualTo("node-role.kubernetes.io/control-plane");
    assertThat((Object) at(pod, "affinity", "podAntiAffinity")).as("replaced").isNull();
    assertThat((Object) at(pod, "affinity", "nodeAffinity")).isNotNull();
    assertThat((Object) at(pod, "priorityClassName")).isEqualTo("system-cluster-critical");
    assertThat((Object) at(pod, "imagePullSecrets")).isEqualTo(List.of(Map.of("name", "regcred")));
    assertThat((Object) at(r.deployment(), "spec", "template", "metadata", "annotations"))
        .isEqualTo(Map.of("example.com/scrape", "false"));
    assertThat((Object) at(r.deployment(), "spec", "template", "metadata", "labels", "team"))
        .isEqualTo("privacy");
    assertThat((Object) at(r.deployment(), "spec", "selector", "matchLabels", "team")).isNull();
    assertThat((List<Object>) at(r.container(), "env"))
        .contains(Map.of("name", "JAVA_TOOL_OPTIONS", "value", "-Xss512k"));
    assertThat((Object) at(r.container(), "image"))
        .isEqualTo("registry.example.com/dpf/dpf-operator:0.1.0-rc1");
    assertThat((Object) at(r.container(), "imagePullPolicy")).isEqualTo("Always");
  }

  @Test
  void withoutPersonasOrPdbOrRbacThoseObjectsAreLeftOut() {
    Chart.Rendered r =
        Chart.render(
            "rbac: {create: false, personas: false}\npodDisruptionBudget: {enabled: false}\n"
                + "serviceAccount: {create: false, name: dpf-sa}");
    assertThat(r.inventory())
        .noneMatch(o -> o.startsWith("ClusterRole") || o.startsWith("Role"))
        .noneMatch(o -> o.startsWith("PodDisruptionBudget") || o.startsWith("ServiceAccount"));
    assertThat((Object) at(r.deployment(), "spec", "template", "spec", "serviceAccountName"))
        .isEqualTo("dpf-sa");
  }

  @Test
  void personasAreAggregatedIntoTheBuiltInRolesWhereTheyFit() {
    Chart.Rendered r = Chart.render("");
    assertThat(aggregation(r, "dpf-data-owner")).containsExactly("aggregate-to-admin");
    assertThat(aggregation(r, "dpf-ml-engineer"))
        .containsExactlyInAnyOrder("aggregate-to-admin", "aggregate-to-edit");
    assertThat(aggregation(r, "dpf-viewer")).containsExactly("aggregate-to-view");
    assertThat(verbs(r, "dpf-data-owner", "privateblocks"))
        .containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "patch", "delete");
    assertThat(verbs(r, "dpf-data-owner", "privacyclaims"))
        .containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(r, "dpf-ml-engineer", "privacyclaims"))
        .containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "patch", "delete");
    assertThat(verbs(r, "dpf-ml-engineer", "privateblocks"))
        .containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(r, "dpf-viewer", "privateblocks"))
        .containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(r, "dpf-viewer", "privacyclaims"))
        .containsExactlyInAnyOrder("get", "list", "watch");
    // nobody but the operator writes status
    for (String role : List.of("dpf-data-owner", "dpf-ml-engineer", "dpf-viewer")) {
      List<Map<String, Object>> rules = at(r.named("ClusterRole", role), "rules");
      assertThat(rules)
          .flatExtracting(x -> Chart.<List<String>>at(x, "resources"))
          .doesNotContain("privateblocks/status", "privacyclaims/status");
    }
    Chart.Rendered plain = Chart.render("rbac: {aggregateToDefaultRoles: false}");
    assertThat(aggregation(plain, "dpf-ml-engineer")).isEmpty();
  }

  private static List<String> aggregation(Chart.Rendered r, String role) {
    Map<String, String> labels = at(r.named("ClusterRole", role), "metadata", "labels");
    return labels.keySet().stream()
        .filter(k -> k.startsWith("rbac.authorization.k8s.io/"))
        .peek(k -> assertThat(labels.get(k)).isEqualTo("true"))
        .map(k -> k.substring("rbac.authorization.k8s.io/".length()))
        .toList();
  }

  private static List<String> verbs(Chart.Rendered r, String role, String resource) {
    List<Map<String, Object>> rules = at(r.named("ClusterRole", role), "rules");
    return rules.stream()
        .filter(x -> Chart.<List<String>>at(x, "resources").contains(resource))
        .flatMap(x -> Chart.<List<String>>at(x, "verbs").stream())
        .toList();
  }
}
