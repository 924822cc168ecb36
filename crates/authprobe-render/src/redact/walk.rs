//! Visits every string a report holds.
//!
//! Every struct is destructured field by field, without `..`: when a field is added to
//! the report, this stops compiling until someone decides whether the new field can
//! carry a secret. A forgotten field would otherwise leak silently.

use authprobe_core::clients::ClientVerdict;
use authprobe_core::http::{Exchange, ExchangeError, Header, RecordedRequest, RecordedResponse};
use authprobe_core::report::{
    AsCandidateInfo, AuthDiscovery, AuthServerInfo, Finding, PrmCandidate, ProtocolInfo, Report,
    StdioServer, Step, TestClient, TokenInfo,
};
use authprobe_core::root_cause::{Artifact, CheckedCitation, Claim, Fix, Observation, RootCause};
use serde_json::{Map, Value};

/// Calls `f` on every string of the report, including the keys and strings of `tools`.
pub(super) fn report_strings(report: &mut Report, f: &mut dyn FnMut(&mut String)) {
    let Report {
        schema_version: _,
        tool_version,
        command,
        target,
        mode,
        mcp_mode,
        rfc_mode,
        timestamp,
        duration_ms: _,
        critical_path: _,
        outcome: _,
        auth_required: _,
        prm_ok: _,
        oauth_discovery_viable: _,
        authz_server_metadata_ok: _,
        protocol,
        auth_discovery,
        steps,
        findings,
        primary_finding: _,
        exchanges,
        tools,
        clients,
        stdio,
        token,
        root_cause,
    } = report;
    for s in [
        tool_version,
        command,
        target,
        mode,
        mcp_mode,
        rfc_mode,
        timestamp,
    ] {
        f(s);
    }

    for verdict in clients {
        let ClientVerdict {
            client,
            name,
            basis,
            verdict: _,
            step: _,
            detail,
            finding: _,
            message,
            assumptions,
            sources,
        } = verdict;
        for s in [client, name, basis, detail] {
            f(s);
        }
        message.iter_mut().for_each(&mut *f);
        assumptions.iter_mut().for_each(&mut *f);
        sources.iter_mut().for_each(&mut *f);
    }

    let ProtocolInfo {
        era,
        negotiated_version,
        requested_version,
    } = protocol;
    f(era);
    f(requested_version);
    negotiated_version.iter_mut().for_each(&mut *f);

    let AuthDiscovery {
        resource_metadata,
        prm_candidates,
        resource,
        authorization_servers,
        scopes_supported,
        challenge_scope,
        authorization_server_metadata,
        registration_paths,
        test_clients,
    } = auth_discovery;
    for s in [resource_metadata, resource, challenge_scope] {
        s.iter_mut().for_each(&mut *f);
    }
    authorization_servers.iter_mut().for_each(&mut *f);
    scopes_supported.iter_mut().for_each(&mut *f);
    for candidate in prm_candidates {
        let PrmCandidate {
            source,
            url,
            exchange_id: _,
            status: _,
            usable: _,
            chosen: _,
        } = candidate;
        f(source);
        f(url);
    }
    for server in authorization_server_metadata {
        auth_server_strings(server, f);
    }
    registration_paths.iter_mut().for_each(&mut *f);
    for client in test_clients {
        let TestClient {
            client_id,
            case,
            deleted: _,
        } = client;
        f(client_id);
        f(case);
    }

    for step in steps {
        let Step {
            id,
            stage: _,
            name,
            status: _,
            detail,
            exchange_ids: _,
        } = step;
        f(id);
        f(name);
        f(detail);
    }

    for finding in findings {
        let Finding {
            code: _,
            severity: _,
            confidence: _,
            stage: _,
            evidence,
            exchange_ids: _,
            caused_by: _,
        } = finding;
        f(evidence);
    }

    for exchange in exchanges {
        exchange_strings(exchange, f);
    }

    for tool in tools {
        value_strings(tool, f);
    }

    // A stdio command line and its stderr can carry keys and tokens like any other text.
    if let Some(StdioServer {
        command,
        pid: _,
        exit,
        stderr_tail,
    }) = stdio
    {
        f(command);
        exit.iter_mut().for_each(&mut *f);
        stderr_tail.iter_mut().for_each(&mut *f);
    }

    // Claims are not secrets, but they are text the target chose.
    if let Some(TokenInfo {
        kind,
        source,
        alg,
        iss,
        aud,
        scope,
        exp: _,
        client_id,
    }) = token
    {
        f(kind);
        f(source);
        for s in [alg, iss, scope, client_id] {
            s.iter_mut().for_each(&mut *f);
        }
        aud.iter_mut().for_each(&mut *f);
    }

    // The analysis quotes evidence and URLs, and a model's answer may quote anything.
    if let Some(analysis) = root_cause {
        root_cause_strings(analysis, f);
    }
}

/// Calls `f` on every string of the root-cause analysis.
fn root_cause_strings(analysis: &mut RootCause, f: &mut dyn FnMut(&mut String)) {
    let RootCause {
        source: _,
        provider,
        model,
        note,
        finding: _,
        text,
        citations,
        summary,
        violation,
        observed,
        fix,
        client_view,
    } = analysis;
    for s in [provider, model, note] {
        s.iter_mut().for_each(&mut *f);
    }
    for s in [text, summary, client_view] {
        f(s);
    }
    for citation in citations {
        let CheckedCitation {
            text,
            verified: _,
            title,
            section_title,
            reason,
        } = citation;
        f(text);
        for s in [title, section_title, reason] {
            s.iter_mut().for_each(&mut *f);
        }
    }
    for claim in violation {
        let Claim {
            claim,
            reference,
            url,
            section_title,
            verified: _,
        } = claim;
        for s in [claim, reference, url] {
            f(s);
        }
        section_title.iter_mut().for_each(&mut *f);
    }
    for observation in observed {
        let Observation {
            text,
            exchange_ids: _,
        } = observation;
        f(text);
    }
    let Fix { text, artifacts } = fix;
    f(text);
    for artifact in artifacts {
        let Artifact {
            label,
            kind,
            content,
        } = artifact;
        for s in [label, kind, content] {
            f(s);
        }
    }
}

/// Calls `f` on every string of one authorization server summary.
fn auth_server_strings(server: &mut AuthServerInfo, f: &mut dyn FnMut(&mut String)) {
    let AuthServerInfo {
        issuer,
        candidates,
        usable: _,
        selected: _,
        authorization_endpoint,
        token_endpoint,
        registration_endpoint,
        jwks_uri,
        grant_types_supported,
        response_types_supported,
        scopes_supported,
        code_challenge_methods_supported,
        token_endpoint_auth_methods_supported,
    } = server;
    f(issuer);
    for candidate in candidates {
        let AsCandidateInfo {
            kind,
            url,
            exchange_id: _,
            status: _,
            chosen: _,
        } = candidate;
        f(kind);
        f(url);
    }
    for s in [
        authorization_endpoint,
        token_endpoint,
        registration_endpoint,
        jwks_uri,
    ] {
        s.iter_mut().for_each(&mut *f);
    }
    for list in [
        grant_types_supported,
        response_types_supported,
        scopes_supported,
        code_challenge_methods_supported,
        token_endpoint_auth_methods_supported,
    ] {
        list.iter_mut().for_each(&mut *f);
    }
}

/// Calls `f` on every string of one exchange.
pub(super) fn exchange_strings(exchange: &mut Exchange, f: &mut dyn FnMut(&mut String)) {
    let Exchange {
        id: _,
        stage: _,
        purpose,
        request,
        response,
        error,
        redirect_of: _,
        // An id, an HTTP version and the address connected to: nothing secret.
        connection: _,
        timing: _,
    } = exchange;
    f(purpose);

    let RecordedRequest {
        method,
        url,
        headers,
        body,
    } = request;
    f(method);
    f(url);
    header_strings(headers, f);
    body.iter_mut().for_each(&mut *f);

    if let Some(response) = response {
        let RecordedResponse {
            status: _,
            version,
            headers,
            body,
            body_bytes: _,
            truncated: _,
        } = response;
        f(version);
        header_strings(headers, f);
        f(body);
    }

    if let Some(error) = error {
        let ExchangeError { kind: _, message } = error;
        f(message);
    }
}

fn header_strings(headers: &mut [Header], f: &mut dyn FnMut(&mut String)) {
    for header in headers {
        let Header { name, value } = header;
        f(name);
        f(value);
    }
}

fn value_strings(value: &mut Value, f: &mut dyn FnMut(&mut String)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|item| value_strings(item, f)),
        Value::Object(map) => {
            // Keys cannot be changed in place; rebuilding keeps their order.
            let old = std::mem::take(map);
            let mut rebuilt = Map::with_capacity(old.len());
            for (mut key, mut member) in old {
                f(&mut key);
                value_strings(&mut member, f);
                rebuilt.insert(key, member);
            }
            *map = rebuilt;
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}
