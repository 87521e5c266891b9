package dev.privacy.dpf.operator.webhook;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The webhook server's key and certificate chain, swappable while it serves: a certificate that
 * cert-manager renews, or that the operator renews itself, is used from the next TLS handshake on.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "webhook";

  private volatile CertificateAuthority.Issued current;

  /** Serves {@code issued} from now on. */
  public void set(CertificateAuthority.Issued issued) {
    this.current = issued;
  }

  /** What it serves now (null before the first {@link #set}). */
  public CertificateAuthority.Issued current() {
    return current;
  }

  /** A key manager serving {@code issued}. */
  public static ReloadingKeyManager of(CertificateAuthority.Issued issued) {
    ReloadingKeyManager k = new ReloadingKeyManager();
    k.set(issued);
    return k;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  /** The one alias, if the key is of the type the handshake asks for. */
  private String alias(String keyType) {
    CertificateAuthority.Issued c = current;
    if (c == null) {
      return null;
    }
    String alg = c.key().getAlgorithm();
    boolean match =
        keyType == null
            || keyType.equalsIgnoreCase(alg)
            || ("EC".equals(alg) && keyType.startsWith("EC"))
            || ("RSA".equals(alg) && keyType.startsWith("RSA"));
    return match ? ALIAS : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String a = alias(keyType);
    return a == null ? null : new String[] {a};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    CertificateAuthority.Issued c = current;
    return c == null || !ALIAS.equals(alias) ? null : c.chain().toArray(new X509Certificate[0]);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    CertificateAuthority.Issued c = current;
    return c == null || !ALIAS.equals(alias) ? null : c.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
