package dev.privacy.dpf.operator.webhook;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's own certificates, for clusters without cert-manager: a CA and a serving
 * certificate kept in a Secret (so that every replica serves the same chain and a restart keeps
 * it), the serving certificate renewed from the same CA before it expires, and the CA written into
 * the {@code caBundle} of the operator's webhook configurations whenever one lacks it (at start,
 * after a {@code helm upgrade} re-applied them, or when they are created later).
 */
public final class OwnCertificates implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OwnCertificates.class);
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  static final Duration SERVING_VALIDITY = Duration.ofDays(365);
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private final KubernetesClient client;
  private final String namespace;
  private final String secretName;
  private final List<String> hosts;
  private final List<String> configurations;
  private final ReloadingKeyManager keys;
  private final List<Watch> watches = new ArrayList<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "dpf-own-certs");
            t.setDaemon(true);
            return t;
          });
  private volatile String caBundle;

  /**
   * @param namespace the operator's namespace, where the Secret is kept
   * @param secretName the Secret's name
   * @param hosts the serving certificate's names (the Service's DNS names, more hosts)
   * @param configurations names of the Mutating- and ValidatingWebhookConfigurations to keep
   */
  public OwnCertificates(
      KubernetesClient client,
      String namespace,
      String secretName,
      List<String> hosts,
      List<String> configurations,
      ReloadingKeyManager keys) {
    this.client = client;
    this.namespace = namespace;
    this.secretName = secretName;
    this.hosts = List.copyOf(hosts);
    this.configurations = List.copyOf(configurations);
    this.keys = keys;
  }

  /** The DNS names of a Service: short, namespaced, and the cluster-local forms. */
  public static List<String> serviceHosts(String service, String namespace) {
    return List.of(
        service,
        service + "." + namespace,
        service + "." + namespace + ".svc",
        service + "." + namespace + ".svc.cluster.local");
  }

  /** Loads or creates the certificates, keeps the caBundles, and checks again periodically. */
  public OwnCertificates start(long periodSeconds) {
    ensure();
    for (String name : configurations) {
      watches.add(
          client
              .admissionRegistration()
              .v1()
              .mutatingWebhookConfigurations()
              .withName(name)
              .watch(trigger()));
      watches.add(
          client
              .admissionRegistration()
              .v1()
              .validatingWebhookConfigurations()
              .withName(name)
              .watch(trigger()));
    }
    timer.scheduleWithFixedDelay(
        this::ensureQuietly, periodSeconds, periodSeconds, TimeUnit.SECONDS);
    return this;
  }

  private <T> Watcher<T> trigger() {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T resource) {
        if (action == Action.ADDED || action == Action.MODIFIED) {
          // read the Secret again first: the bundle written is always the CA it holds now, so
          // replicas never overwrite each other's bundle with an older CA
          timer.execute(OwnCertificates.this::ensureQuietly);
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        LOG.info("webhook configuration watch closed ({}); the periodic check goes on", cause);
      }
    };
  }

  private void ensureQuietly() {
    try {
      ensure();
    } catch (RuntimeException e) {
      LOG.warn("webhook certificates not checked: {}", e.getMessage());
    }
  }

  /** The CA certificate in PEM (what goes into the caBundles, before base64). */
  public String caPem() {
    return caBundle == null
        ? null
        : new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII);
  }

  /** One round: the Secret read (or made, or renewed), the key served, the caBundles written. */
  synchronized void ensure() {
    Secret s = client.secrets().inNamespace(namespace).withName(secretName).get();
    CertificateAuthority ca = null;
    CertificateAuthority.Issued serving = null;
    if (s != null) {
      try {
        ca = CertificateAuthority.read(field(s, "ca.crt"), field(s, "ca.key"));
        serving =
            new CertificateAuthority.Issued(
                CertificateAuthority.privateKey(field(s, "tls.key")),
                CertificateAuthority.certificates(field(s, "tls.crt")));
      } catch (IllegalArgumentException e) {
        LOG.warn(
            "Secret {}/{} cannot be read ({}); making new certificates",
            namespace,
            secretName,
            e.getMessage());
        ca = null;
      }
    }
    boolean write = false;
    if (ca == null) {
      ca = CertificateAuthority.generate("dpf-operator-webhook-ca", CA_VALIDITY);
      serving = null;
      write = true;
    }
    if (serving == null || due(serving.chain().get(0))) {
      serving = ca.issue(hosts, SERVING_VALIDITY);
      write = true;
    }
    if (write) {
      Secret desired =
          new SecretBuilder()
              .withNewMetadata()
              .withName(secretName)
              .withNamespace(namespace)
              .addToLabels("app.kubernetes.io/managed-by", "dpf-operator")
              .withResourceVersion(s == null ? null : s.getMetadata().getResourceVersion())
              .endMetadata()
              .withType("kubernetes.io/tls")
              .withData(data(ca, serving))
              .build();
      try {
        if (s == null) {
          client.secrets().inNamespace(namespace).resource(desired).create();
        } else {
          client.secrets().inNamespace(namespace).resource(desired).update();
        }
        LOG.info(
            "webhook certificates written to Secret {}/{} (serving certificate valid until {})",
            namespace,
            secretName,
            serving.chain().get(0).getNotAfter().toInstant());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // another replica wrote it first: serve what it wrote
        ensureFromWinner();
        return;
      }
    }
    serve(ca, serving);
  }

  private void ensureFromWinner() {
    Secret s = client.secrets().inNamespace(namespace).withName(secretName).get();
    if (s == null) {
      throw new IllegalStateException("Secret " + namespace + "/" + secretName + " vanished");
    }
    serve(
        CertificateAuthority.read(field(s, "ca.crt"), field(s, "ca.key")),
        new CertificateAuthority.Issued(
            CertificateAuthority.privateKey(field(s, "tls.key")),
            CertificateAuthority.certificates(field(s, "tls.crt"))));
  }

  private void serve(CertificateAuthority ca, CertificateAuthority.Issued serving) {
    CertificateAuthority.Issued now = keys.current();
    if (now == null || !now.chain().get(0).equals(serving.chain().get(0))) {
      keys.set(serving);
    }
    caBundle = Base64.getEncoder().encodeToString(ca.pem().getBytes(StandardCharsets.US_ASCII));
    inject();
  }

  /** Whether a serving certificate must be renewed: soon expired, or not for our hosts. */
  private boolean due(X509Certificate c) {
    if (c.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
      return true;
    }
    Set<String> names = new HashSet<>();
    try {
      if (c.getSubjectAlternativeNames() != null) {
        for (List<?> n : c.getSubjectAlternativeNames()) {
          names.add(String.valueOf(n.get(1)));
        }
      }
    } catch (CertificateParsingException e) {
      return true;
    }
    for (String h : hosts) {
      if (!names.contains(h)
          && !names.contains(h.startsWith("[") ? h.substring(1, h.length() - 1) : h)) {
        try {
          if (!names.contains(java.net.InetAddress.getByName(h).getHostAddress())) {
            return true;
          }
        } catch (java.net.UnknownHostException e) {
          return true;
        }
      }
    }
    return false;
  }

  /** Writes the caBundle into every webhook of our configurations that lacks it. */
  synchronized void inject() {
    String bundle = caBundle;
    if (bundle == null) {
      return;
    }
    for (String name : configurations) {
      MutatingWebhookConfiguration m =
          client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name).get();
      if (m != null && m.getWebhooks() != null) {
        boolean changed = false;
        for (MutatingWebhook w : m.getWebhooks()) {
          changed |= setBundle(w.getClientConfig(), bundle);
        }
        update(m, changed, "MutatingWebhookConfiguration " + name);
      }
      ValidatingWebhookConfiguration v =
          client
              .admissionRegistration()
              .v1()
              .validatingWebhookConfigurations()
              .withName(name)
              .get();
      if (v != null && v.getWebhooks() != null) {
        boolean changed = false;
        for (ValidatingWebhook w : v.getWebhooks()) {
          changed |= setBundle(w.getClientConfig(), bundle);
        }
        update(v, changed, "ValidatingWebhookConfiguration " + name);
      }
    }
  }

  private static boolean setBundle(WebhookClientConfig c, String bundle) {
    if (c == null || Objects.equals(c.getCaBundle(), bundle)) {
      return false;
    }
    c.setCaBundle(bundle);
    return true;
  }

  private void update(io.fabric8.kubernetes.api.model.HasMetadata o, boolean changed, String what) {
    if (!changed) {
      return;
    }
    try {
      client.resource(o).update(); // conditional on the resourceVersion read
      LOG.info("caBundle written into {}", what);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // changed meanwhile: its watch event brings us back
    }
  }

  private static Map<String, String> data(CertificateAuthority ca, CertificateAuthority.Issued s) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("ca.crt", b64(ca.pem()));
    d.put("ca.key", b64(CertificateAuthority.pem(ca.keyPair().getPrivate())));
    d.put("tls.crt", b64(s.chainPem()));
    d.put("tls.key", b64(s.keyPem()));
    return d;
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  private String field(Secret s, String key) {
    String v = s.getData() == null ? null : s.getData().get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "Secret " + namespace + "/" + secretName + " has no " + key);
    }
    return new String(Base64.getDecoder().decode(v), StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    watches.forEach(Watch::close);
    timer.shutdownNow();
  }
}
