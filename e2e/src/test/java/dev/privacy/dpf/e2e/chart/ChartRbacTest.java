package dev.privacy.dpf.e2e.chart;

import static dev.privacy.dpf.e2e.chart.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.operator.OperatorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator's ClusterRole and Roles, as rendered, grant exactly the rules of the operator's RBAC
 * list under the settings the Deployment passes: every one, nothing beyond, no wildcard, and bound
 * to the operator's ServiceAccount only.
 */
class ChartRbacTest {

  /** One granted (or expected) permission: where, group, resource, verb, names (sorted). */
  record Grant(String where, String group, String resource, String verb, List<String> names) {
    @Override
    public String toString() {
      return where
          + " "
          + verb
          + " "
          + (group.isEmpty() ? "core" : group)
          + ":"
          + resource
          + (names.isEmpty() ? "" : " " + names);
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "",
        "certManager: {enabled: true}",
        "webhook: {enabled: false}",
        "replicaCount: 1\nleaderElection: {enabled: false}",
        "operator: {namespaces: [ml, research]}",
        "operator: {namespaces: [ml], deniedPods: delete, events: false}",
        "operator: {deniedPods: delete}",
        "fullnameOverride: dpf\nleaderElection: {leaseName: dpf-leader}",
        "rbac: {workloadOwners: [{apiGroup: jobset.x-k8s.io, resource: jobsets}]}",
        "certManager: {enabled: true}\noperator: {namespaces: [ml]}\nleaderElection: {enabled: false}\nreplicaCount: 1"
      })
  void theOperatorsRolesGrantExactlyTheRbacListUnderTheRenderedFlags(String values) {
    Chart.Rendered r = Chart.render(values);
    Map<String, String> flags =
        OperatorConfig.parse(r.expandedArgs("dpf-operator-0"), Map.of()).flags();
    Set<Grant> expected = expected(flags, owners(values));
    Set<Grant> granted = granted(r);
    assertThat(granted)
        .as("the chart's grants, against the list's rules under %s", flags)
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void byDefaultTheOperatorGetsThisAndNoMore() {
    Set<String> g = new TreeSet<>();
    granted(Chart.render("")).forEach(x -> g.add(x.toString()));
    assertThat(g)
        .containsExactlyInAnyOrder(
            "ClusterRole get dpf.privacy.dev:privateblocks",
            "ClusterRole list dpf.privacy.dev:privateblocks",
            "ClusterRole watch dpf.privacy.dev:privateblocks",
            "ClusterRole patch dpf.privacy.dev:privateblocks",
            "ClusterRole update dpf.privacy.dev:privateblocks",
            "ClusterRole update dpf.privacy.dev:privateblocks/status",
            "ClusterRole get dpf.privacy.dev:privacyclaims",
            "ClusterRole list dpf.privacy.dev:privacyclaims",
            "ClusterRole watch dpf.privacy.dev:privacyclaims",
            "ClusterRole patch dpf.privacy.dev:privacyclaims",
            "ClusterRole update dpf.privacy.dev:privacyclaims",
            "ClusterRole update dpf.privacy.dev:privacyclaims/status",
            "ClusterRole get core:pods",
            "ClusterRole list core:pods",
            "ClusterRole watch core:pods",
            "ClusterRole patch core:pods",
            "ClusterRole get batch:jobs",
            "ClusterRole list batch:jobs",
            "ClusterRole watch batch:jobs",
            "ClusterRole create core:events",
            "ClusterRole get core:namespaces",
            "ClusterRole get core:nodes",
            "ClusterRole get admissionregistration.k8s.io:mutatingwebhookconfigurations [dpf-operator]",
            "ClusterRole watch admissionregistration.k8s.io:mutatingwebhookconfigurations [dpf-operator]",
            "ClusterRole update admissionregistration.k8s.io:mutatingwebhookconfigurations [dpf-operator]",
            "ClusterRole get admissionregistration.k8s.io:validatingwebhookconfigurations [dpf-operator]",
            "ClusterRole watch admissionregistration.k8s.io:validatingwebhookconfigurations [dpf-operator]",
            "ClusterRole update admissionregistration.k8s.io:validatingwebhookconfigurations [dpf-operator]",
            "ClusterRole create authorization.k8s.io:selfsubjectrulesreviews",
            "Role:dpf-system create core:secrets",
            "Role:dpf-system get core:secrets [dpf-operator-webhook-tls]",
            "Role:dpf-system update core:secrets [dpf-operator-webhook-tls]",
            "Role:dpf-system create coordination.k8s.io:leases",
            "Role:dpf-system get coordination.k8s.io:leases [dpf-operator]",
            "Role:dpf-system update coordination.k8s.io:leases [dpf-operator]",
            "Role:dpf-system patch coordination.k8s.io:leases [dpf-operator]");
  }

  @Test
  void noRoleOfTheChartHasAWildcardOrNonResourceUrlsAndOnlyTheOperatorIsBound() {
    for (String values :
        List.of("", "operator: {namespaces: [ml]}", "certManager: {enabled: true}")) {
      Chart.Rendered r = Chart.render(values);
      for (String kind : List.of("ClusterRole", "Role")) {
        for (Map<String, Object> role : r.all(kind)) {
          List<Map<String, Object>> rules = at(role, "rules");
          assertThat(rules).as("%s %s", kind, at(role, "metadata", "name")).isNotEmpty();
          for (Map<String, Object> rule : rules) {
            assertThat(rule).doesNotContainKey("nonResourceURLs");
            for (String field : List.of("apiGroups", "resources", "verbs", "resourceNames")) {
              List<String> items = at(rule, field);
              if (items != null) {
                assertThat(items)
                    .as("%s of %s", field, at(role, "metadata", "name"))
                    .noneMatch(s -> s.contains("*"));
              }
            }
          }
        }
      }
      for (String kind : List.of("ClusterRoleBinding", "RoleBinding")) {
        for (Map<String, Object> b : r.all(kind)) {
          List<Map<String, Object>> subjects = at(b, "subjects");
          assertThat(subjects)
              .containsExactly(
                  Map.of(
                      "kind", "ServiceAccount", "name", "dpf-operator", "namespace", "dpf-system"));
          assertThat((String) at(b, "roleRef", "name")).isNotIn("cluster-admin", "admin", "edit");
        }
      }
    }
  }

  /** The list's rules, where the chart must grant them under {@code flags}. */
  static Set<Grant> expected(Map<String, String> flags, List<String[]> owners) {
    Set<Grant> out = new TreeSet<>(ChartRbacTest::compare);
    List<String> watched = csv(flags.get("namespaces"));
    for (OperatorRbacList.Rule rule : OperatorRbacList.rules()) {
      if (!rule.applies(flags)) {
        continue;
      }
      List<String> wheres = new ArrayList<>();
      if (rule.scope().equals("cluster") || (rule.scope().equals("watched") && watched.isEmpty())) {
        wheres.add("ClusterRole");
      } else if (rule.scope().equals("watched")) {
        watched.forEach(ns -> wheres.add("Role:" + ns));
      } else if (rule.scope().startsWith("namespace:")) {
        wheres.add("Role:" + flags.get(rule.scope().substring("namespace:".length())));
      } else {
        throw new IllegalArgumentException("scope " + rule.scope());
      }
      List<String> names =
          rule.names() == null
              ? List.of()
              : new ArrayList<>(new TreeSet<>(csv(flags.get(rule.names()))));
      for (String where : wheres) {
        for (String verb : rule.verbs()) {
          out.add(new Grant(where, rule.group(), rule.resource(), verb, names));
        }
      }
    }
    for (String[] o : owners) {
      if (watched.isEmpty()) {
        out.add(new Grant("ClusterRole", o[0], o[1], "get", List.of()));
      } else {
        watched.forEach(ns -> out.add(new Grant("Role:" + ns, o[0], o[1], "get", List.of())));
      }
    }
    return out;
  }

  /** What the roles bound to the operator's ServiceAccount grant, one permission at a time. */
  static Set<Grant> granted(Chart.Rendered r) {
    Set<Grant> out = new TreeSet<>(ChartRbacTest::compare);
    String sa = at(r.deployment(), "spec", "template", "spec", "serviceAccountName");
    for (String[] kinds :
        new String[][] {{"ClusterRoleBinding", "ClusterRole"}, {"RoleBinding", "Role"}}) {
      for (Map<String, Object> b : r.all(kinds[0])) {
        List<Map<String, Object>> subjects = at(b, "subjects");
        boolean operator =
            subjects.stream()
                .anyMatch(
                    s ->
                        "ServiceAccount".equals(s.get("kind"))
                            && sa.equals(s.get("name"))
                            && r.namespace.equals(s.get("namespace")));
        if (!operator) {
          continue;
        }
        String roleKind = at(b, "roleRef", "kind");
        String ns = at(b, "metadata", "namespace");
        Map<String, Object> role =
            r.all(roleKind).stream()
                .filter(x -> at(x, "metadata", "name").equals(at(b, "roleRef", "name")))
                .filter(
                    x ->
                        roleKind.equals("ClusterRole") || ns.equals(at(x, "metadata", "namespace")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("binding to a missing role: " + b));
        assertThat(roleKind).isEqualTo(kinds[1]);
        String where = roleKind.equals("ClusterRole") ? "ClusterRole" : "Role:" + ns;
        List<Map<String, Object>> rules = at(role, "rules");
        for (Map<String, Object> rule : rules) {
          List<String> names = at(rule, "resourceNames");
          List<String> sorted = names == null ? List.of() : new ArrayList<>(new TreeSet<>(names));
          for (String g : Chart.<List<String>>at(rule, "apiGroups")) {
            for (String res : Chart.<List<String>>at(rule, "resources")) {
              for (String v : Chart.<List<String>>at(rule, "verbs")) {
                out.add(new Grant(where, g, res, v, sorted));
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static int compare(Grant a, Grant b) {
    return a.toString().compareTo(b.toString());
  }

  /** The workloadOwners of a values text, as the chart reads them. */
  @SuppressWarnings("unchecked")
  private static List<String[]> owners(String values) {
    List<String[]> out = new ArrayList<>();
    if (values.isBlank()) {
      return out;
    }
    List<Map<String, String>> owners = at(Chart.parse(values), "rbac", "workloadOwners");
    if (owners != null) {
      owners.forEach(o -> out.add(new String[] {o.get("apiGroup"), o.get("resource")}));
    }
    return out;
  }

  private static List<String> csv(String s) {
    List<String> out = new ArrayList<>();
    for (String p : s.split(",")) {
      if (!p.isBlank()) {
        out.add(p.trim());
      }
    }
    return out;
  }
}
