package dev.privacy.dpf.operator.webhook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving certificate from a mounted TLS Secret ({@code tls.crt}, {@code tls.key}), as
 * cert-manager writes it; read again every few seconds, so that a renewed certificate is served
 * without a restart.
 */
public final class MountedCertificates implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MountedCertificates.class);

  private final Path dir;
  private final ReloadingKeyManager keys;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "dpf-cert-reload");
            t.setDaemon(true);
            return t;
          });
  private String loaded = "";

  public MountedCertificates(Path dir, ReloadingKeyManager keys) {
    this.dir = dir;
    this.keys = keys;
  }

  /**
   * Loads the certificate (failing with a message that names the file if it cannot), then checks
   * for a new one every {@code periodSeconds}.
   */
  public MountedCertificates start(long periodSeconds) {
    load();
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            load();
          } catch (RuntimeException e) {
            LOG.warn("webhook certificate not reloaded: {}", e.getMessage());
          }
        },
        periodSeconds,
        periodSeconds,
        TimeUnit.SECONDS);
    return this;
  }

  private synchronized void load() {
    String crt = read("tls.crt");
    String key = read("tls.key");
    if ((crt + key).equals(loaded)) {
      return;
    }
    CertificateAuthority.Issued issued;
    try {
      issued =
          new CertificateAuthority.Issued(
              CertificateAuthority.privateKey(key), CertificateAuthority.certificates(crt));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "--webhook-cert-dir=" + dir + ": tls.crt or tls.key cannot be read: " + e.getMessage(),
          e);
    }
    if (!CertificateAuthority.matches(issued.key(), issued.chain().get(0))) {
      // caught between the writes of the two files: keep serving the pair loaded before
      throw new IllegalStateException(
          "--webhook-cert-dir=" + dir + ": tls.key does not belong to tls.crt (yet)");
    }
    keys.set(issued);
    loaded = crt + key;
    LOG.info(
        "webhook certificate loaded from {} (valid until {})",
        dir,
        issued.chain().get(0).getNotAfter().toInstant());
  }

  private String read(String file) {
    Path p = dir.resolve(file);
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException(
          "--webhook-cert-dir=" + dir + ": cannot read " + p + " (" + e + ")", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
