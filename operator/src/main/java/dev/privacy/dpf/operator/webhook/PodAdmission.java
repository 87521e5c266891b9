package dev.privacy.dpf.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.DpfApi;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The validating admission decision for pods (SPEC "Pod gating"). Every pod that reaches it is
 * checked for:
 *
 * <ul>
 *   <li>a claim label that cannot name a claim, or that names a claim already finished (or being
 *       deleted): a finished claim grants nothing, so such a pod would stay gated forever;
 *   <li>the budget gate without a claim label (nothing would ever remove it);
 *   <li>in a namespace labelled {@code dpf.privacy.dev/enforce: "true"}, a pod without a claim
 *       label that requests a GPU resource or targets the protected nodes;
 *   <li>on update: the claim label changed, or the budget gate removed while the claim is not
 *       Allocated (only the operator removes it, once it is).
 * </ul>
 *
 * Each refusal says what to add or fix.
 */
public final class PodAdmission {

  /** What the decision needs to know of the cluster (read fresh, not from a cache). */
  public interface Cluster {
    /** The namespace's labels; empty if it has none or does not exist. */
    Map<String, String> namespaceLabels(String namespace);

    /** The claim, or null if there is none. */
    ClaimState claim(String namespace, String name);

    /** The node's labels; empty if it has none or does not exist. */
    Map<String, String> nodeLabels(String name);
  }

  /**
   * What a pod's claim is.
   *
   * @param phase its phase (null before the operator wrote one)
   * @param reason why, as its status says
   * @param deleting whether it is being deleted
   */
  public record ClaimState(ClaimPhase phase, String reason, boolean deleting) {}

  /**
   * @param gpuResources resource names that count as GPUs
   * @param protectedNodeLabel {@code key} or {@code key=value} of protected nodes; empty for none
   */
  public record Settings(List<String> gpuResources, String protectedNodeLabel) {}

  /** What a claim name must look like (a DNS-1123 subdomain, as every object name). */
  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private final Cluster cluster;
  private final Settings settings;

  public PodAdmission(Cluster cluster, Settings settings) {
    this.cluster = cluster;
    this.settings = settings;
  }

  /** The AdmissionReview response to an AdmissionReview request about a pod. */
  public ObjectNode review(JsonNode request) {
    JsonNode req = request.path("request");
    String op = req.path("operation").asText();
    if (!"Pod".equals(req.path("kind").path("kind").asText())
        || !req.path("subResource").asText("").isEmpty()
        || !("CREATE".equals(op) || "UPDATE".equals(op))) {
      return AdmissionReviews.allow(request);
    }
    Pod pod = Serialization.unmarshal(req.path("object").toString(), Pod.class);
    Pod old =
        "UPDATE".equals(op) && req.path("oldObject").isObject()
            ? Serialization.unmarshal(req.path("oldObject").toString(), Pod.class)
            : null;
    String namespace = req.path("namespace").asText(pod.getMetadata().getNamespace());
    String refusal = old == null ? onCreate(pod, namespace) : onUpdate(old, pod, namespace);
    return refusal == null
        ? AdmissionReviews.allow(request)
        : AdmissionReviews.deny(request, 403, "Forbidden", refusal);
  }

  private String onCreate(Pod pod, String namespace) {
    String who = describe(pod);
    String claim = claimOf(pod);
    if (claim != null) {
      if (!NAME.matcher(claim).matches() || claim.length() > 253) {
        return "label "
            + DpfApi.LABEL_CLAIM
            + " of "
            + who
            + " must be the name of a PrivacyClaim (lower-case letters, digits, '-' and '.',"
            + " starting and ending with a letter or digit), got \""
            + claim
            + "\"";
      }
      ClaimState c = cluster.claim(namespace, claim);
      if (c != null && c.deleting()) {
        return who
            + " names claim "
            + namespace
            + "/"
            + claim
            + ", which is being deleted: create a new PrivacyClaim and set the label "
            + DpfApi.LABEL_CLAIM
            + " to its name";
      }
      if (c != null && c.phase() != null && c.phase().finished()) {
        return who
            + " names claim "
            + namespace
            + "/"
            + claim
            + ", which is already "
            + c.phase()
            + (c.phase() == ClaimPhase.Denied && c.reason() != null ? " (" + c.reason() + ")" : "")
            + " and grants no more budget: create a new PrivacyClaim and set the label "
            + DpfApi.LABEL_CLAIM
            + " to its name";
      }
      if (!hasGate(pod) && enforced(namespace)) {
        return who
            + " names claim "
            + namespace
            + "/"
            + claim
            + " but was not given the scheduling gate "
            + DpfApi.GATE_BUDGET
            + " (is the operator's MutatingWebhookConfiguration installed?); namespace "
            + namespace
            + " is enforced, so the pod must wait for its budget: add spec.schedulingGates:"
            + " [{name: "
            + DpfApi.GATE_BUDGET
            + "}]";
      }
      return null;
    }
    if (hasGate(pod)) {
      return who
          + " carries the scheduling gate "
          + DpfApi.GATE_BUDGET
          + " but no label "
          + DpfApi.LABEL_CLAIM
          + ", so nothing would ever release it: add the label "
          + DpfApi.LABEL_CLAIM
          + ": <claim-name>, or remove the gate";
    }
    if (!enforced(namespace)) {
      return null;
    }
    String needs = gpuRequest(pod);
    if (needs == null) {
      needs = protectedTarget(pod);
    }
    if (needs == null) {
      return null;
    }
    return who
        + " "
        + needs
        + ", and namespace "
        + namespace
        + " requires a privacy budget claim for that (it is labelled "
        + DpfApi.LABEL_ENFORCE
        + "=true): add the label "
        + DpfApi.LABEL_CLAIM
        + ": <claim-name> naming a PrivacyClaim in "
        + namespace
        + " (for a Job, under spec.template.metadata.labels)";
  }

  private String onUpdate(Pod old, Pod pod, String namespace) {
    String who = describe(pod);
    String was = claimOf(old);
    String now = claimOf(pod);
    if (was != null && !was.equals(now)) {
      return "label "
          + DpfApi.LABEL_CLAIM
          + " of "
          + who
          + " cannot change once set (it was \""
          + was
          + "\", now "
          + (now == null ? "removed" : "\"" + now + "\"")
          + "): create a new pod for another claim";
    }
    if (was != null && hasGate(old) && !hasGate(pod)) {
      ClaimState c = cluster.claim(namespace, was);
      if (c == null || c.phase() != ClaimPhase.Allocated || c.deleting()) {
        return "the scheduling gate "
            + DpfApi.GATE_BUDGET
            + " of "
            + who
            + " is removed by the DPF operator once claim "
            + namespace
            + "/"
            + was
            + " is Allocated (it is "
            + (c == null
                ? "not found"
                : c.deleting() ? "being deleted" : Objects.toString(c.phase(), "new"))
            + "): do not remove it by hand";
      }
    }
    return null;
  }

  private boolean isProtected(String node, String key, String value) {
    Map<String, String> labels = cluster.nodeLabels(node);
    return labels.containsKey(key) && (value == null || value.equals(labels.get(key)));
  }

  private boolean enforced(String namespace) {
    return "true".equals(cluster.namespaceLabels(namespace).get(DpfApi.LABEL_ENFORCE));
  }

  private static String claimOf(Pod p) {
    Map<String, String> labels = p.getMetadata().getLabels();
    return labels == null ? null : labels.get(DpfApi.LABEL_CLAIM);
  }

  private static boolean hasGate(Pod p) {
    return p.getSpec() != null
        && p.getSpec().getSchedulingGates() != null
        && p.getSpec().getSchedulingGates().stream()
            .anyMatch(g -> DpfApi.GATE_BUDGET.equals(g.getName()));
  }

  private static String describe(Pod p) {
    if (p.getMetadata().getName() != null && !p.getMetadata().getName().isEmpty()) {
      return "pod " + p.getMetadata().getName();
    }
    return "pod " + Objects.toString(p.getMetadata().getGenerateName(), "") + "<generated>";
  }

  /** "requests nvidia.com/gpu (container trainer)", or null. */
  private String gpuRequest(Pod pod) {
    if (pod.getSpec() == null) {
      return null;
    }
    List<Container> all = new ArrayList<>();
    if (pod.getSpec().getContainers() != null) {
      all.addAll(pod.getSpec().getContainers());
    }
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    for (Container c : all) {
      if (c.getResources() == null) {
        continue;
      }
      for (String gpu : settings.gpuResources()) {
        if (positive(c.getResources().getLimits(), gpu)
            || positive(c.getResources().getRequests(), gpu)) {
          return "requests " + gpu + " (container " + c.getName() + ")";
        }
      }
    }
    return null;
  }

  private static boolean positive(Map<String, Quantity> m, String resource) {
    if (m == null || !m.containsKey(resource)) {
      return false;
    }
    try {
      return Quantity.getAmountInBytes(m.get(resource)).signum() > 0;
    } catch (IllegalArgumentException e) {
      return true; // a quantity the API server accepted but we cannot read: the safe side
    }
  }

  /** "targets the protected nodes (nodeSelector k=v)", or null. */
  private String protectedTarget(Pod pod) {
    String label = settings.protectedNodeLabel();
    if (label == null || label.isEmpty() || pod.getSpec() == null) {
      return null;
    }
    int eq = label.indexOf('=');
    String key = eq < 0 ? label : label.substring(0, eq);
    String value = eq < 0 ? null : label.substring(eq + 1);
    Map<String, String> sel = pod.getSpec().getNodeSelector();
    if (sel != null && sel.containsKey(key) && (value == null || value.equals(sel.get(key)))) {
      return "targets the protected nodes (nodeSelector " + key + "=" + sel.get(key) + ")";
    }
    String node = pod.getSpec().getNodeName();
    if (node != null && !node.isEmpty() && isProtected(node, key, value)) {
      return "is placed on the protected node " + node + " (spec.nodeName)";
    }
    if (pod.getSpec().getAffinity() == null
        || pod.getSpec().getAffinity().getNodeAffinity() == null
        || pod.getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
            == null) {
      return null;
    }
    List<NodeSelectorTerm> terms =
        pod.getSpec()
            .getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms();
    for (NodeSelectorTerm t : terms == null ? List.<NodeSelectorTerm>of() : terms) {
      for (NodeSelectorRequirement f :
          t.getMatchFields() == null ? List.<NodeSelectorRequirement>of() : t.getMatchFields()) {
        if ("metadata.name".equals(f.getKey())
            && "In".equals(f.getOperator())
            && f.getValues() != null) {
          for (String n : f.getValues()) {
            if (isProtected(n, key, value)) {
              return "targets the protected node "
                  + n
                  + " (required node affinity field metadata.name)";
            }
          }
        }
      }
      for (NodeSelectorRequirement r :
          t.getMatchExpressions() == null
              ? List.<NodeSelectorRequirement>of()
              : t.getMatchExpressions()) {
        if (!key.equals(r.getKey())) {
          continue;
        }
        boolean in =
            "In".equals(r.getOperator())
                && r.getValues() != null
                && (value == null ? !r.getValues().isEmpty() : r.getValues().contains(value));
        if (in || "Exists".equals(r.getOperator())) {
          return "targets the protected nodes (required node affinity "
              + key
              + " "
              + r.getOperator()
              + (r.getValues() == null || r.getValues().isEmpty() ? "" : " " + r.getValues())
              + ")";
        }
      }
    }
    return null;
  }
}
