package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.operator.webhook.PodAdmission;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/** What the pod webhook reads of the cluster, fresh from the API server on every request. */
final class ClusterLookups implements PodAdmission.Cluster {
  private final KubernetesClient client;

  ClusterLookups(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Map<String, String> namespaceLabels(String namespace) {
    Namespace n = client.namespaces().withName(namespace).get();
    return n == null || n.getMetadata().getLabels() == null
        ? Map.of()
        : n.getMetadata().getLabels();
  }

  @Override
  public Map<String, String> nodeLabels(String name) {
    Node n = client.nodes().withName(name).get();
    return n == null || n.getMetadata().getLabels() == null
        ? Map.of()
        : n.getMetadata().getLabels();
  }

  @Override
  public PodAdmission.ClaimState claim(String namespace, String name) {
    PrivacyClaim c =
        client.resources(PrivacyClaim.class).inNamespace(namespace).withName(name).get();
    if (c == null) {
      return null;
    }
    return new PodAdmission.ClaimState(
        c.getStatus() == null ? null : c.getStatus().getPhase(),
        c.getStatus() == null ? null : c.getStatus().getReason(),
        c.getMetadata().getDeletionTimestamp() != null);
  }
}
