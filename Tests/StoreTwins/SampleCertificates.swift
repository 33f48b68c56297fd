import Foundation

/// A real self-signed CA certificate (P-256, "School test CA", made with openssl for these tests), as PEM.
public enum SampleCertificates {
    public static let schoolCA = """
        -----BEGIN CERTIFICATE-----
        MIIBhjCCAS2gAwIBAgIUZ/IXxnu/ho5OE912N1HUO5lr3s8wCgYIKoZIzj0EAwIw
        GTEXMBUGA1UEAwwOU2Nob29sIHRlc3QgQ0EwHhcNMjYxMjA3MDUzMzQyWhcNMzYx
        MjA0MDUzMzQyWjAZMRcwFQYDVQQDDA5TY2hvb2wgdGVzdCBDQTBZMBMGByqGSM49
        AgEGCCqGSM49AwEHA0IABGQSu/diL1/7gr+3WVq14EPxs4YnmCjLAZynZAYVE0/A
        xKl2upYRKSBnWpSRaJGg936Z8K9m2EVap6Jn7SGm22+jUzBRMB0GA1UdDgQWBBS/
        0SvAsGXj4mGxtxCAK4pfOdDvlTAfBgNVHSMEGDAWgBS/0SvAsGXj4mGxtxCAK4pf
        OdDvlTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIBNSM+CQNG43
        3cU16AN17z5fnULIjg86/w066s3YyvheAiBngfgKmYJxw+c4ZRWWdiEnrRkJgb4r
        4gyUCj1CsZmHkA==
        -----END CERTIFICATE-----
        """
}
