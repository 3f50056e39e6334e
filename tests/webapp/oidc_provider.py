"""A minimal but real OpenID Connect provider for the tests: discovery, JWKS, authorize, token.

It runs in a thread on 127.0.0.1 (werkzeug's server), signs ID tokens with an RSA key made for the test
session, checks the client's secret and the PKCE verifier, and auto-approves `user`. A test changes
`behaviour` to make it misbehave (wrong nonce or audience, a token signed by a stranger's key...).
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

CLIENT_ID, CLIENT_SECRET = "tandem-test", "provider-secret-0123"


class Provider:
    """The provider's state: its key, the codes it issued and how it should behave."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.stranger_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})  # same kid, other key
        self.codes: dict[str, dict] = {}
        self.reset()
        self.server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reset(self, **behaviour) -> None:
        """Behave well for `user` unless told otherwise (keys: see id_token)."""
        self.behaviour = {"email": "exec@example.com", "email_verified": True, **behaviour}

    def id_token(self, grant: dict) -> str:
        """An ID token for a grant, bent by the behaviour settings."""
        b, now = self.behaviour, int(time.time())
        claims = {"iss": b.get("iss", self.issuer), "aud": b.get("aud", CLIENT_ID), "sub": "user-1",
                  "email": b["email"], "email_verified": b["email_verified"], "nonce": b.get("nonce", grant["nonce"]),
                  "iat": now, "exp": now + b.get("lifetime", 300), **b.get("extra", {})}
        key = self.stranger_key if b.get("stranger_key") else self.key
        token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
        if b.get("tamper"):  # keep the signature, swap the payload for one naming someone else
            head, _, sig = token.split(".")
            payload = json.dumps({**claims, "email": b["tamper"]}).encode()
            token = ".".join((head, base64.urlsafe_b64encode(payload).rstrip(b"=").decode(), sig))
        return token

    def _app(self) -> Flask:
        app = Flask("test_oidc_provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(issuer=self.issuer, authorization_endpoint=f"{self.issuer}/authorize",
                           token_endpoint=f"{self.issuer}/token", jwks_uri=f"{self.issuer}/jwks",
                           response_types_supported=["code"], subject_types_supported=["public"],
                           id_token_signing_alg_values_supported=["RS256"],
                           code_challenge_methods_supported=["S256"],
                           token_endpoint_auth_methods_supported=["client_secret_basic"])

        @app.get("/jwks")
        def jwks():
            return jsonify(KeySet([self.key]).as_dict(private=False))

        @app.get("/authorize")
        def authorize():
            args = request.args
            if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code" \
                    or args.get("code_challenge_method") != "S256" or "openid" not in args.get("scope", "").split():
                abort(400)
            back = {"state": args["state"]}
            if self.behaviour.get("deny"):
                back["error"] = "access_denied"
            else:
                code = secrets.token_urlsafe(16)
                self.codes[code] = {"nonce": args.get("nonce"), "redirect_uri": args["redirect_uri"],
                                    "challenge": args["code_challenge"]}
                back["code"] = code
            return redirect(f"{args['redirect_uri']}?{urlencode(back)}")

        @app.post("/token")
        def token():
            auth = request.authorization
            grant = self.codes.pop(request.form.get("code", ""), None)  # a code works once
            if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
                return jsonify(error="invalid_client"), 401
            verifier = request.form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant is None or grant["challenge"] != challenge \
                    or grant["redirect_uri"] != request.form.get("redirect_uri"):
                return jsonify(error="invalid_grant"), 400
            return jsonify(access_token=secrets.token_urlsafe(16), token_type="Bearer", expires_in=300,
                           id_token=self.id_token(grant))

        return app
