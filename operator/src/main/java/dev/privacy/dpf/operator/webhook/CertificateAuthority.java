package dev.privacy.dpf.operator.webhook;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority (Bouncy Castle) for the webhook server on clusters without
 * cert-manager: its certificate goes into the webhook configurations' {@code caBundle}, and it
 * issues the serving certificate. Also reads and writes PEM, as Kubernetes TLS Secrets hold it.
 *
 * @param certificate the CA's own certificate
 * @param keyPair its key pair
 */
public record CertificateAuthority(X509Certificate certificate, KeyPair keyPair) {
  private static final Pattern IP = Pattern.compile("[0-9.]+|.*:.*");

  /**
   * A serving key with its certificate chain (leaf first).
   *
   * @param key the private key
   * @param chain the certificates, leaf first
   */
  public record Issued(PrivateKey key, List<X509Certificate> chain) {
    /** The chain in PEM (a TLS Secret's {@code tls.crt}). */
    public String chainPem() {
      return pem(chain.toArray(new X509Certificate[0]));
    }

    /** The key in PEM, PKCS#8 (a TLS Secret's {@code tls.key}). */
    public String keyPem() {
      return pem(key);
    }
  }

  /** A new CA named {@code name}, valid for {@code validity}. */
  public static CertificateAuthority generate(String name, Duration validity) {
    KeyPair kp = newKeyPair();
    X500Name subject = new X500Name("CN=" + name);
    try {
      JcaX509v3CertificateBuilder b = builder(subject, subject, kp, validity);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new CertificateAuthority(sign(b, kp.getPrivate()), kp);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A serving certificate for {@code hosts} (DNS names or IP addresses; the first is the CN). */
  public Issued issue(List<String> hosts, Duration validity) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a serving certificate needs at least one host name");
    }
    KeyPair kp = newKeyPair();
    try {
      JcaX509v3CertificateBuilder b =
          builder(
              X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
              new X500Name("CN=" + hosts.get(0)),
              kp,
              validity);
      List<GeneralName> names = new ArrayList<>();
      for (String h : hosts) {
        names.add(
            IP.matcher(h).matches()
                ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(h).getHostAddress())
                : new GeneralName(GeneralName.dNSName, h));
      }
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(new GeneralName[0])));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      return new Issued(kp.getPrivate(), List.of(sign(b, keyPair.getPrivate()), certificate));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JcaX509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair kp, Duration validity) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, new SecureRandom()),
        Date.from(now.minus(Duration.ofMinutes(5))), // tolerate clocks a little behind
        Date.from(now.plus(validity)),
        subject,
        kp.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot sign a webhook certificate: " + e, e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(256, new SecureRandom());
      return gen.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a key: " + e, e);
    }
  }

  /** The CA's certificate in PEM (a {@code caBundle} before base64). */
  public String pem() {
    return pem(certificate);
  }

  /** The CA in a Secret's terms: its certificate and key. */
  public Issued asIssued() {
    return new Issued(keyPair.getPrivate(), List.of(certificate));
  }

  /** A CA read back from its certificate and key in PEM. */
  public static CertificateAuthority read(String certPem, String keyPem) {
    X509Certificate cert = certificates(certPem).get(0);
    return new CertificateAuthority(cert, new KeyPair(cert.getPublicKey(), privateKey(keyPem)));
  }

  /** Whether {@code key} is the private key of {@code cert} (a signature made with it verifies). */
  public static boolean matches(PrivateKey key, X509Certificate cert) {
    String alg =
        "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
    try {
      byte[] probe = "dpf-operator".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      java.security.Signature s = java.security.Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      java.security.Signature v = java.security.Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  /** Certificates in PEM. */
  public static String pem(X509Certificate... certs) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (X509Certificate c : certs) {
        w.writeObject(c);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** A private key in PEM (PKCS#8). */
  public static String pem(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The certificates of a PEM text, in order. */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof X509CertificateHolder h) {
          out.add(new JcaX509CertificateConverter().getCertificate(h));
        }
      }
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot read the certificates: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no certificate in the PEM text");
    }
    return out;
  }

  /** The private key of a PEM text: PKCS#8, or a traditional EC or RSA key. */
  public static PrivateKey privateKey(String pem) {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return conv.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair kp) {
          return conv.getKeyPair(kp).getPrivate();
        }
      }
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot read the private key: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no private key in the PEM text");
  }
}
