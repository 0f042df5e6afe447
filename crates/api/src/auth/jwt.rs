//! Access tokens (15 minutes, one tenant) and tenant-selection tokens
//! (5 minutes, no tenant). HS256 only; exp, nbf, iss, aud and sub required.

use chrono::Utc;
use domain::{TenantId, UserId};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const ISSUER: &str = "switchboard";
pub const ACCESS_AUDIENCE: &str = "switchboard-api";
pub const SELECTION_AUDIENCE: &str = "switchboard-tenant-selection";
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
pub const SELECTION_TTL_SECS: i64 = 5 * 60;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tid: Option<Uuid>,
    iss: String,
    aud: String,
    exp: i64,
    nbf: i64,
    iat: i64,
    jti: Uuid,
}

/// What a verified access token says.
#[derive(Debug, Clone, Copy)]
pub struct AccessClaims {
    pub user: UserId,
    pub tenant: TenantId,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid token")]
pub struct InvalidToken;

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(..)")
    }
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    fn sign(&self, claims: &Claims) -> Result<String, InvalidToken> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).map_err(|_| InvalidToken)
    }

    fn verify(&self, token: &str, audience: &str) -> Result<Claims, InvalidToken> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        decode::<Claims>(token, &self.decoding, &validation)
            .map(|d| d.claims)
            .map_err(|_| InvalidToken)
    }

    fn claims(user: UserId, tenant: Option<TenantId>, audience: &str, ttl: i64) -> Claims {
        let now = Utc::now().timestamp();
        Claims {
            sub: user.0,
            tid: tenant.map(|t| t.0),
            iss: ISSUER.to_owned(),
            aud: audience.to_owned(),
            exp: now + ttl,
            nbf: now,
            iat: now,
            jti: Uuid::now_v7(),
        }
    }

    pub fn issue_access(&self, user: UserId, tenant: TenantId) -> Result<String, InvalidToken> {
        self.sign(&Self::claims(
            user,
            Some(tenant),
            ACCESS_AUDIENCE,
            ACCESS_TTL_SECS,
        ))
    }

    pub fn verify_access(&self, token: &str) -> Result<AccessClaims, InvalidToken> {
        let claims = self.verify(token, ACCESS_AUDIENCE)?;
        let tenant = claims.tid.ok_or(InvalidToken)?;
        Ok(AccessClaims {
            user: UserId(claims.sub),
            tenant: TenantId(tenant),
        })
    }

    pub fn issue_selection(&self, user: UserId) -> Result<String, InvalidToken> {
        self.sign(&Self::claims(
            user,
            None,
            SELECTION_AUDIENCE,
            SELECTION_TTL_SECS,
        ))
    }

    pub fn verify_selection(&self, token: &str) -> Result<UserId, InvalidToken> {
        Ok(UserId(self.verify(token, SELECTION_AUDIENCE)?.sub))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_round_trip_and_are_not_selection_tokens() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let user = UserId::new();
        let tenant = TenantId::new();
        let token = keys.issue_access(user, tenant).unwrap();
        let claims = keys.verify_access(&token).unwrap();
        assert_eq!(claims.user, user);
        assert_eq!(claims.tenant, tenant);
        assert!(keys.verify_selection(&token).is_err());
        let selection = keys.issue_selection(user).unwrap();
        assert!(keys.verify_access(&selection).is_err());
    }

    #[test]
    fn tokens_from_another_key_are_refused() {
        let a = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let b = JwtKeys::new(b"fedcba9876543210fedcba9876543210");
        let token = a.issue_access(UserId::new(), TenantId::new()).unwrap();
        assert!(b.verify_access(&token).is_err());
    }
}
