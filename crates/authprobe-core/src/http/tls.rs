//! TLS client setup on rustls with the ring provider.
//!
//! The provider is passed explicitly so that nothing depends on a process-wide
//! default being installed.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use url::Host;

/// ALPN identifier of HTTP/2.
pub const ALPN_H2: &[u8] = b"h2";
/// ALPN identifier of HTTP/1.1.
pub const ALPN_HTTP1: &[u8] = b"http/1.1";

/// Builds the rustls client configuration shared by every connection.
///
/// `insecure` accepts any certificate chain (handshake signatures are still
/// checked). ALPN offers `http/1.1`, preceded by `h2` when `http2` is set.
pub fn client_config(insecure: bool, http2: bool) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let mut config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate { provider }))
            .with_no_client_auth()
    } else {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = if http2 {
        vec![ALPN_H2.to_vec(), ALPN_HTTP1.to_vec()]
    } else {
        vec![ALPN_HTTP1.to_vec()]
    };
    Ok(config)
}

/// The name to send as SNI and to verify the certificate against.
pub fn server_name(host: &Host<&str>) -> Option<ServerName<'static>> {
    match host {
        Host::Domain(name) => ServerName::try_from(name.to_string()).ok(),
        Host::Ipv4(ip) => Some(ServerName::from(std::net::IpAddr::V4(*ip))),
        Host::Ipv6(ip) => Some(ServerName::from(std::net::IpAddr::V6(*ip))),
    }
}

/// Turns a handshake failure into one line, without the `io::Error` wrapping.
pub fn describe_error(err: &std::io::Error) -> String {
    match err.get_ref() {
        Some(inner) => inner.to_string(),
        None => match err.kind() {
            std::io::ErrorKind::UnexpectedEof => "connection closed during the handshake".into(),
            _ => err.to_string(),
        },
    }
}

/// `--insecure`: trusts any certificate, but still checks that the peer holds
/// the key it presented, so the handshake itself stays sound.
#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
