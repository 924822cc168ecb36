//! What the calibration needs to know about the stage-2 (transport) and
//! stage-7 (session and login) defects: the era they live in, that they hide
//! behind the bearer token, and which need a login of the scanner's own.

use crate::defects::Defect;
use crate::era::Era;

impl Defect {
    /// Whether a scanner sees this defect only with a valid token: the lab
    /// demands one for every MCP request, so the transport deviations (stage 2)
    /// are invisible to an anonymous scan. Calibrate them with a token from
    /// [`RunningLab::issue_token`](crate::RunningLab::issue_token).
    pub fn needs_token(&self) -> bool {
        self.is_transport() || self.is_session()
    }

    /// Whether a scanner sees this defect only when it logs in itself: the
    /// defect lives in the authorization or token response, or needs a
    /// second token or the authorization code. A token alone is not enough.
    pub fn needs_login(&self) -> bool {
        matches!(
            self,
            Defect::VerifierAnyAudience
                | Defect::TokenResponseCacheable
                | Defect::TokenTypeNotBearer
                | Defect::AuthorizationWrongIss
                | Defect::AuthorizationDropsState
                | Defect::AuthorizationCodeReusable
                | Defect::RefreshTokenNotRotated
                | Defect::AuthorizationDenied
                | Defect::TokenAudienceIssuer
                | Defect::ResourceParameterIgnored
                | Defect::TokenEndpointHangs
        )
    }

    /// True for the deviations of the authenticated session and the login
    /// (stage 7 of the scanner).
    pub fn is_session(&self) -> bool {
        self.needs_login()
            || matches!(
                self,
                Defect::VerifierWrongAudience
                    | Defect::VerifierAcceptsAlgNone
                    | Defect::VerifierSkipsSignature
                    | Defect::SessionWithoutToken
                    | Defect::QueryTokenAccepted
                    | Defect::MalformedBearerAccepted
                    | Defect::InsufficientScopeBare403
                    | Defect::ToolsListRefusedWithToken
            )
    }

    /// The era in which the defect exists: the 2026-07-28 header and version
    /// checks only there; everything else in the default lab (2025-11-25).
    pub fn era(&self) -> Era {
        match self {
            Defect::HeaderMismatchAccepted
            | Defect::UnsupportedVersionErrorInvalid
            | Defect::ChallengeOfflineAccess
            | Defect::PrmOfflineAccess => Era::Stateless20260728,
            _ => Era::default(),
        }
    }

    /// True for the deviations of the MCP transport and lifecycle (stage 2).
    pub(crate) fn is_transport(&self) -> bool {
        matches!(
            self,
            Defect::InitializeError
                | Defect::InitializeNoServerInfo
                | Defect::InitializeNoProtocolVersion
                | Defect::CapabilitiesNotObject
                | Defect::InitializedRejected
                | Defect::Notification200
                | Defect::NotificationBody
                | Defect::NotificationIdAccepted
                | Defect::NullIdAccepted
                | Defect::ResponseInvalid
                | Defect::ResponseIdMismatch
                | Defect::BatchAccepted
                | Defect::SessionNotRequired
                | Defect::SessionIdInvalidChars
                | Defect::UnknownSessionNot404
                | Defect::DeleteRejected
                | Defect::OriginNotValidated
                | Defect::VersionHeaderIgnored
                | Defect::VersionDowngrade
                | Defect::PingNotEmpty
                | Defect::ToolsListError
                | Defect::ToolsListInvalid
                | Defect::ToolInputSchemaMissing
                | Defect::ToolInputSchemaInvalid
                | Defect::ToolNameInvalid
                | Defect::ToolIconUnsafe
                | Defect::TasksMethodMissing
                | Defect::ToolsListEndlessStream
                | Defect::ToolsListHugeStream
                | Defect::HeaderMismatchAccepted
                | Defect::UnsupportedVersionErrorInvalid
        )
    }
}
