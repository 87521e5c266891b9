package dev.privacy.dpf.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.operator.embedded.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook server's certificates: the operator's own CA kept in a Secret and written into the
 * webhook configurations' caBundle (shared by replicas, renewed before expiry, written again when a
 * configuration loses it), and a mounted cert-manager certificate reloaded when it is renewed.
 */
class CertificatesTest {
  static final List<String> HOSTS =
      List.of(
          "dpf-operator-webhook", "dpf-operator-webhook.dpf-system.svc", "localhost", "127.0.0.1");

  final EmbeddedApiServer api = new EmbeddedApiServer().start();
  final NamespacedKubernetesClient client = api.client();
  final List<AutoCloseable> open = new ArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    client.close();
    api.close();
  }

  OwnCertificates own(ReloadingKeyManager keys) {
    OwnCertificates c =
        new OwnCertificates(
                client,
                "dpf-system",
                "dpf-operator-webhook-tls",
                HOSTS,
                List.of("dpf-operator"),
                keys)
            .start(60);
    open.add(c);
    return c;
  }

  void createConfigurations() {
    client
        .resource(
            new MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("dpf-operator")
                .endMetadata()
                .addNewWebhook()
                .withName("gate.pods.dpf.privacy.dev")
                .withNewClientConfig()
                .withUrl("https://127.0.0.1:9443/mutate-pods")
                .endClientConfig()
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .endWebhook()
                .build())
        .create();
  }

  void createValidating() {
    client
        .resource(
            new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("dpf-operator")
                .endMetadata()
                .addNewWebhook()
                .withName("pods.dpf.privacy.dev")
                .withNewClientConfig()
                .withUrl("https://127.0.0.1:9443/validate-pods")
                .endClientConfig()
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .endWebhook()
                .addNewWebhook()
                .withName("resources.dpf.privacy.dev")
                .withNewClientConfig()
                .withUrl("https://127.0.0.1:9443/validate-resources")
                .endClientConfig()
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .endWebhook()
                .build())
        .create();
  }

  MutatingWebhookConfiguration mutating() {
    return client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("dpf-operator")
        .get();
  }

  ValidatingWebhookConfiguration validating() {
    return client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName("dpf-operator")
        .get();
  }

  Secret secret() {
    return client.secrets().inNamespace("dpf-system").withName("dpf-operator-webhook-tls").get();
  }

  static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
  }

  @Test
  void theOwnCaIsKeptInASecretSharedByReplicasAndWrittenIntoEveryCaBundle() throws Exception {
    createConfigurations();
    ReloadingKeyManager one = new ReloadingKeyManager();
    OwnCertificates first = own(one);
    Secret s = secret();
    assertThat(s.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(s.getData()).containsKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
    CertificateAuthority ca =
        CertificateAuthority.read(
            decode(s.getData().get("ca.crt")), decode(s.getData().get("ca.key")));
    // the serving certificate: issued by the CA, for every host, for a server
    X509Certificate leaf = one.current().chain().get(0);
    leaf.verify(ca.certificate().getPublicKey());
    List<String> sans = new ArrayList<>();
    leaf.getSubjectAlternativeNames().forEach(n -> sans.add(String.valueOf(n.get(1))));
    assertThat(sans).containsExactlyInAnyOrderElementsOf(HOSTS);
    assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
    String bundle =
        Base64.getEncoder().encodeToString(ca.pem().getBytes(StandardCharsets.US_ASCII));
    assertThat(mutating().getWebhooks().get(0).getClientConfig().getCaBundle()).isEqualTo(bundle);
    assertThat(first.caPem()).isEqualTo(ca.pem());
    // a configuration created later gets it too, from the watch
    createValidating();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(validating().getWebhooks())
                    .allSatisfy(
                        w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(bundle)));
    // a second replica serves the very same certificate
    ReloadingKeyManager two = new ReloadingKeyManager();
    own(two);
    assertThat(two.current().chain().get(0)).isEqualTo(leaf);
    // helm upgrade re-applied a configuration without the caBundle: it is written again
    MutatingWebhookConfiguration m = mutating();
    m.getWebhooks().get(0).getClientConfig().setCaBundle(null);
    client.resource(m).update();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(mutating().getWebhooks().get(0).getClientConfig().getCaBundle())
                    .isEqualTo(bundle));
  }

  @Test
  void replicasAgreeOnANewCaWithoutFightingOverTheCaBundle() throws Exception {
    createConfigurations();
    createValidating();
    ReloadingKeyManager one = new ReloadingKeyManager();
    ReloadingKeyManager two = new ReloadingKeyManager();
    OwnCertificates first = own(one);
    OwnCertificates second = own(two);
    // the documented way to change the CA: delete the Secret; the next round makes a new one
    client.secrets().inNamespace("dpf-system").withName("dpf-operator-webhook-tls").delete();
    first.ensure();
    Secret s = secret();
    CertificateAuthority ca =
        CertificateAuthority.read(
            decode(s.getData().get("ca.crt")), decode(s.getData().get("ca.key")));
    String bundle =
        Base64.getEncoder().encodeToString(ca.pem().getBytes(StandardCharsets.US_ASCII));
    // the other replica's watch sees the new bundle, reads the Secret, and serves the new chain
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> two.current().chain().get(0).verify(ca.certificate().getPublicKey()));
    // and the bundles stay put: nobody writes an older CA back
    String rv = mutating().getMetadata().getResourceVersion();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .untilAsserted(
            () -> {
              assertThat(mutating().getMetadata().getResourceVersion()).isEqualTo(rv);
              assertThat(mutating().getWebhooks().get(0).getClientConfig().getCaBundle())
                  .isEqualTo(bundle);
              assertThat(validating().getWebhooks())
                  .allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(bundle));
            });
    assertThat(second.caPem()).isEqualTo(ca.pem());
    assertThat(one.current().chain().get(0)).isEqualTo(two.current().chain().get(0));
  }

  @Test
  void aServingCertificateAboutToExpireIsRenewedFromTheSameCa() throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.generate("dpf-operator-webhook-ca", Duration.ofDays(3650));
    CertificateAuthority.Issued old = ca.issue(HOSTS, Duration.ofDays(10)); // within 30 days
    Map<String, String> data = new HashMap<>();
    data.put("ca.crt", b64(ca.pem()));
    data.put("ca.key", b64(CertificateAuthority.pem(ca.keyPair().getPrivate())));
    data.put("tls.crt", b64(old.chainPem()));
    data.put("tls.key", b64(old.keyPem()));
    client
        .secrets()
        .inNamespace("dpf-system")
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("dpf-operator-webhook-tls")
                .withNamespace("dpf-system")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(data)
                .build())
        .create();
    ReloadingKeyManager keys = new ReloadingKeyManager();
    own(keys);
    X509Certificate renewed = keys.current().chain().get(0);
    assertThat(renewed).isNotEqualTo(old.chain().get(0));
    renewed.verify(ca.certificate().getPublicKey());
    assertThat(renewed.getNotAfter().toInstant())
        .isAfter(java.time.Instant.now().plus(Duration.ofDays(300)));
    assertThat(decode(secret().getData().get("ca.crt"))).isEqualTo(ca.pem()); // the caBundle stays
    assertThat(decode(secret().getData().get("tls.crt"))).isEqualTo(keys.current().chainPem());
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** The certificate the server presents in a TLS handshake. */
  static X509Certificate presented(int port) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] c, String a) {}

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void aMountedCertificateIsServedAndReloadedWhenCertManagerRenewsIt() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("cert-manager-ca", Duration.ofDays(30));
    CertificateAuthority.Issued first = ca.issue(HOSTS, Duration.ofDays(30));
    Files.writeString(dir.resolve("tls.crt"), first.chainPem());
    Files.writeString(dir.resolve("tls.key"), first.keyPem());
    ReloadingKeyManager keys = new ReloadingKeyManager();
    open.add(new MountedCertificates(dir, keys).start(1));
    WebhookServer server =
        new WebhookServer(0, keys, Map.of(WebhookServer.MUTATE_PODS, GateMutation::review)).start();
    open.add(server);
    assertThat(presented(server.port())).isEqualTo(first.chain().get(0));
    CertificateAuthority.Issued second = ca.issue(HOSTS, Duration.ofDays(30));
    // caught halfway through the renewal: the new key with the old certificate is not served
    Files.writeString(dir.resolve("tls.key"), second.keyPem());
    await()
        .during(Duration.ofMillis(2_500)) // two reload rounds see the mismatched pair
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(presented(server.port())).isEqualTo(first.chain().get(0));
              assertThat(keys.current().key()).isEqualTo(first.key());
            });
    Files.writeString(dir.resolve("tls.crt"), second.chainPem());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(presented(server.port())).isEqualTo(second.chain().get(0)));
  }

  @Test
  void aMissingOrBrokenMountedCertificateStopsTheStartWithTheFileNamed() throws Exception {
    assertThatThrownBy(() -> new MountedCertificates(dir, new ReloadingKeyManager()).start(1))
        .hasMessageContaining("--webhook-cert-dir=" + dir)
        .hasMessageContaining("tls.crt");
    Files.writeString(dir.resolve("tls.crt"), "not a certificate");
    Files.writeString(dir.resolve("tls.key"), "not a key");
    assertThatThrownBy(() -> new MountedCertificates(dir, new ReloadingKeyManager()).start(1))
        .hasMessageContaining("tls.crt or tls.key cannot be read");
  }
}
