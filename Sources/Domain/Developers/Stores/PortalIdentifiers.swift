// Row ids of the developer portal's records in catalyst_developers. Each has its own marker type, so
// an API key's id cannot be passed where a client secret's is expected; pages parse them from URL segments
// with `RecordID(_: String)` and stores check the owner before acting on one.

/// Marker types for the portal's ``RecordID``s.
public enum ApplicationRecord {}
public enum ClientSecretRecord {}
public enum APIKeyRecord {}
public enum WebhookEndpointRecord {}
public enum DeliveryRecord {}
public enum TicketRecord {}

/// A developer's application (`applications.id`); not the public `client_id`.
public typealias ApplicationID = RecordID<ApplicationRecord>
/// One client secret of an application (`application_client_secrets.id`), never the secret or its digest.
public typealias ClientSecretID = RecordID<ClientSecretRecord>
/// One API key of an application (`api_keys.id`), never the key or its digest.
public typealias APIKeyID = RecordID<APIKeyRecord>
/// One webhook endpoint of an application (`webhook_endpoints.id`).
public typealias WebhookEndpointID = RecordID<WebhookEndpointRecord>
/// One webhook delivery, pending or finished (`webhook_deliveries.id`).
public typealias DeliveryID = RecordID<DeliveryRecord>
/// One support ticket (`support_tickets.id`).
public typealias TicketID = RecordID<TicketRecord>
