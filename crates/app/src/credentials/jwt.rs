//! Access tokens (15 minutes, one tenant) and tenant-selection tokens
//! (5 minutes, no tenant). HS256 only; exp, nbf, iss, aud and sub required.
//! Both carry the session version they were issued under (`ver`: the
//! account's, `mver`: the membership's), which each request compares with
//! the stored one, so a token stops working within a request of a sign-out,
//! password change, role change or deactivation.

use chrono::Utc;
use domain::team::SessionVersion;
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
    /// The account's session version.
    ver: i64,
    /// The membership's session version (access tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mver: Option<i64>,
}

/// What a verified access token says.
#[derive(Debug, Clone, Copy)]
pub struct AccessClaims {
    pub user: UserId,
    pub tenant: TenantId,
    pub session: SessionVersion,
}

/// What a verified tenant-selection token says.
#[derive(Debug, Clone, Copy)]
pub struct SelectionClaims {
    pub user: UserId,
    /// The account's session version when it was issued.
    pub account_version: i64,
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

    fn claims(
        user: UserId,
        tenant: Option<TenantId>,
        session: SessionVersion,
        audience: &str,
        ttl: i64,
    ) -> Claims {
        let now = Utc::now().timestamp();
        Claims {
            sub: user.0,
            tid: tenant.map(|t| t.0),
            ver: session.account,
            mver: tenant.map(|_| session.membership),
            iss: ISSUER.to_owned(),
            aud: audience.to_owned(),
            exp: now + ttl,
            nbf: now,
            iat: now,
            jti: Uuid::now_v7(),
        }
    }

    pub fn issue_access(
        &self,
        user: UserId,
        tenant: TenantId,
        session: SessionVersion,
    ) -> Result<String, InvalidToken> {
        self.sign(&Self::claims(
            user,
            Some(tenant),
            session,
            ACCESS_AUDIENCE,
            ACCESS_TTL_SECS,
        ))
    }

    pub fn verify_access(&self, token: &str) -> Result<AccessClaims, InvalidToken> {
        let claims = self.verify(token, ACCESS_AUDIENCE)?;
        let tenant = claims.tid.ok_or(InvalidToken)?;
        let membership = claims.mver.ok_or(InvalidToken)?;
        Ok(AccessClaims {
            user: UserId(claims.sub),
            tenant: TenantId(tenant),
            session: SessionVersion {
                account: claims.ver,
                membership,
            },
        })
    }

    pub fn issue_selection(
        &self,
        user: UserId,
        account_version: i64,
    ) -> Result<String, InvalidToken> {
        let session = SessionVersion {
            account: account_version,
            membership: 0,
        };
        self.sign(&Self::claims(
            user,
            None,
            session,
            SELECTION_AUDIENCE,
            SELECTION_TTL_SECS,
        ))
    }

    pub fn verify_selection(&self, token: &str) -> Result<SelectionClaims, InvalidToken> {
        let claims = self.verify(token, SELECTION_AUDIENCE)?;
        Ok(SelectionClaims {
            user: UserId(claims.sub),
            account_version: claims.ver,
        })
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
        let session = SessionVersion {
            account: 3,
            membership: 1_700_000_000_000,
        };
        let token = keys.issue_access(user, tenant, session).unwrap();
        let claims = keys.verify_access(&token).unwrap();
        assert_eq!(claims.user, user);
        assert_eq!(claims.tenant, tenant);
        assert_eq!(claims.session, session);
        assert!(keys.verify_selection(&token).is_err());
        let selection = keys.issue_selection(user, 3).unwrap();
        assert!(keys.verify_access(&selection).is_err());
        assert_eq!(
            keys.verify_selection(&selection).unwrap().account_version,
            3
        );
    }

    #[test]
    fn tokens_from_another_key_are_refused() {
        let a = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let b = JwtKeys::new(b"fedcba9876543210fedcba9876543210");
        let token = a
            .issue_access(UserId::new(), TenantId::new(), SessionVersion::default())
            .unwrap();
        assert!(b.verify_access(&token).is_err());
    }
}
