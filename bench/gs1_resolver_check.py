"""Outside conformance check of a running GS1-Conformant resolver (Resolver Standard 1.2, GS1's test suite).

    .venv/bin/python bench/gs1_resolver_check.py BASE_URL DL [DL ...] [--canonical URL] [--insecure]
                                                  [--accept-html] [--strict]

BASE_URL is where requests go (e.g. https://127.0.0.1:8443). Each DL is a GS1 Digital Link URI or its path
(/01/08938536000016/10/LOT/21/SER). Anchors are compared with --canonical + path (default: the DL's own
origin when it is absolute, else BASE_URL), since a local server still names itself by its public host.

The checks follow GS1's resolver test suite (gs1/GS1DL-resolver-testsuite, GS1DigitalLinkResolverTestSuite.js,
commit b38e088a) and the conformance statements it quotes; the suite was read, not copied, and each check is
named after the suite's test id. Schemas and the ratified link types come from tests/fixtures/gs1/ (no network
to ref.gs1.org). Prints one row per check; exits 1 on any FAIL (with --strict, on any WARN too).
"""

import argparse
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit

import jsonschema
import requests
import urllib3

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "gs1"
LINKSET_SCHEMA = json.loads((FIXTURES / "linkset-schema-1.2.1.json").read_text())
DESCRIPTION_SCHEMA = json.loads((FIXTURES / "description-file-schema-1.2.0.json").read_text())
RATIFIED = json.loads((FIXTURES / "linktypes.json").read_text())
# The suite reduces the three https spellings of the GS1 vocabulary namespace to gs1: before testing links.
GS1_NAMESPACE = re.compile(r"^https://((ref|www)\.)?gs1\.org/voc/", re.IGNORECASE)
JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
LINKSET_TYPE = "application/linkset+json"
IANA_TOP_LEVEL = {"application", "audio", "example", "font", "haptics", "image", "message", "model", "text"}
IANA_TOP_LEVEL |= {"multipart", "video"}
PRIMARY_KEYS = {"01", "8006", "8013", "8010", "414", "417", "8017", "8018", "255", "00", "253", "401", "402"}
PRIMARY_KEYS |= {"8003", "8004"}
NOT_LINK_TYPES = {"anchor", "itemDescription", "description"}
DEFAULTS = {"gs1:defaultLink", "gs1:defaultLinkMulti"}
LINK_RE = re.compile(r'<([^>]*)>((?:\s*;\s*[^;,=\s]+\s*=\s*(?:"[^"]*"|[^;,]*))*)')
PARAM_RE = re.compile(r'([^;,=\s]+)\s*=\s*(?:"([^"]*)"|([^;,]*))')
ANY = {"Accept": "*/*"}


def strip_query(url):
    """The URL without its query string and fragment."""
    return (url or "").split("#", 1)[0].split("?", 1)[0]


def curie(link_type):
    return GS1_NAMESPACE.sub("gs1:", link_type)


def link_header(response):
    """[(target, {param: value})] of the RFC 8288 Link header of a response."""
    found = LINK_RE.findall(response.headers.get("Link", ""))
    return [(t, {m[0].lower(): m[1] or m[2].strip() for m in PARAM_RE.findall(p)}) for t, p in found]


def schema_errors(schema, doc):
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path)) or '$'}: {e.message}" for e in errors]


def link_types_of(entry):
    """{link type: [link objects]} of a linkset entry (anything that is not a link object is dropped here;
    the schema check reports it)."""
    lists = {k: v for k, v in entry.items() if k not in NOT_LINK_TYPES and isinstance(v, list)}
    return {k: [lk for lk in v if isinstance(lk, dict)] for k, v in lists.items()}


class Checker:
    def __init__(self, base, canonical, insecure, timeout):
        self.base, self.canonical, self.timeout = base.rstrip("/"), canonical, timeout
        self.session = requests.Session()
        self.session.verify = not insecure
        # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment override verify=False (psf/requests#3829)
        self.session.trust_env = not insecure
        self.rows, self.server_errors = [], []

    def row(self, check, uri, ok, detail, level="FAIL"):
        """One table row; ok may also be a status string (PASS/WARN/FAIL/INFO)."""
        status = ok if isinstance(ok, str) else ("PASS" if ok else level)
        self.rows.append((check, uri, status, detail))

    def get(self, path_or_url, method="GET", headers=ANY):
        """One request, never following redirects; 5xx answers are kept for the final check."""
        url = path_or_url if "://" in path_or_url else self.base + path_or_url
        try:
            r = self.session.request(
                method, url, headers=headers, allow_redirects=False, timeout=self.timeout
            )
        except requests.RequestException as exc:
            self.server_errors.append(f"{method} {url}: {exc.__class__.__name__}")
            return None
        if r.status_code >= 500:
            self.server_errors.append(f"{method} {url} -> {r.status_code}")
        return r

    def description_file(self, primary_keys):
        # "SHALL provide a resolver description file at /.well-known/gs1resolver" (suite: rdFile, validated
        # against the description-file schema; a critical failure when missing)
        r = self.get("/.well-known/gs1resolver", headers={"Accept": "application/json"})
        uri = "/.well-known/gs1resolver"
        if r is None or r.status_code != 200:
            return self.row("rdFile", uri, False, f"status {getattr(r, 'status_code', 'no answer')}")
        try:
            doc = r.json()
        except ValueError:
            return self.row("rdFile", uri, False, f"not JSON ({r.headers.get('Content-Type')})")
        errors = schema_errors(DESCRIPTION_SCHEMA, doc)
        self.row("rdFile", uri, not errors, "; ".join(errors) or "valid (description-file-schema 1.2.0)")
        doc = doc if isinstance(doc, dict) else {}
        ctype = r.headers.get("Content-Type", "")
        self.row("rdFileType", uri, ctype.startswith("application/json"), f"Content-Type {ctype}", "WARN")
        # "The list of supported primary identifiers SHALL be provided in the Resolver Description File"
        keys = set(doc.get("supportedPrimaryKeys") or [])
        missing = [] if "all" in keys else sorted(primary_keys - keys)
        self.row(
            "rdFilePrimaryKeys", uri, not missing, f"supportedPrimaryKeys {sorted(keys)}, lacks {missing}"
        )
        root = str(doc.get("resolverRoot", "")).rstrip("/")
        self.row(
            "rdFileRoot", uri, root == self.canonical, f"resolverRoot {root!r}, uses {self.canonical}", "WARN"
        )
        # "A context file that can be used to render the linkset as JSON-LD SHOULD be declared"
        context = doc.get("jsonLdContextLocation")
        self.row("rdFileContext", uri, bool(context), f"jsonLdContextLocation {context}", "WARN")

    def check(self, path):
        segments = path.strip("/").split("/")
        start = next((i for i, s in enumerate(segments) if s in PRIMARY_KEYS), 0)
        # the canonical URI of each level, most granular first, down to the primary key
        ends = range(len(segments), start + 1, -2)
        levels = [self.canonical + "/" + "/".join(segments[:end]) for end in ends] or [self.canonical + path]
        origin = {"Origin": "https://ref.gs1.org", "Accept": "*/*"}
        head = self.get(path, "HEAD", origin)
        options = self.get(path, "OPTIONS", {**origin, "Access-Control-Request-Method": "GET"})
        plain = self.get(path)
        if head is None or options is None or plain is None:
            return self.row("connection", path, False, "no answer")

        # "SHALL support HTTP 1.1 (or higher) GET, HEAD and OPTIONS requests."
        for method, r in (("GET", plain), ("HEAD", head), ("OPTIONS", options)):
            self.row(f"methodsCheck:{method}", path, r.status_code not in (405, 501), f"{r.status_code}")
        # "SHALL support CORS" (suite: Access-Control-Allow-Origin, and all three methods in
        # Access-Control-Allow-Methods, both read from the HEAD answer)
        allow_origin = head.headers.get("Access-Control-Allow-Origin")
        self.row("corsCheck", path, bool(allow_origin), f"Access-Control-Allow-Origin {allow_origin}")
        on_head, on_options = (
            {m.strip().upper() for m in r.headers.get("Access-Control-Allow-Methods", "").split(",")}
            for r in (head, options)
        )
        wanted = {"GET", "HEAD", "OPTIONS"}
        cors = "PASS" if wanted <= on_head else "WARN" if wanted <= on_options else "FAIL"
        self.row(
            "corsMethods", path, cors, f"HEAD {sorted(on_head - {''})}, OPTIONS {sorted(on_options - {''})}"
        )

        # "SHOULD expose link to the linkset in an HTTP Link header, even when redirecting."
        links = link_header(plain)
        linkset_links = [t for t, a in links if "linkset" in a.get("rel", "").split()]
        self.row("linkOnRedirect", path, bool(linkset_links), f'rel="linkset": {linkset_links}', "WARN")
        # "The inclusion of all possible links in the HTTP Link header was deprecated in version 1.0.0"
        legacy = [a["rel"] for _, a in links if curie(a.get("rel", "")).startswith("gs1:")]
        self.row("legacyLinkHeaders", path, not legacy, f"gs1: rels in Link header: {legacy[:5]}", "WARN")

        # "SHALL extract and syntactically validate the URI and report errors with an HTTP response code of
        # 400" and "SHALL NOT use a 200 OK response code with a resource that indicates an error condition"
        bad = self.get(path + "/foo")
        if bad is not None:
            self.row("reportWith400", path + "/foo", bad.status_code == 400, f"{bad.status_code}")
            self.row("noErrorWith200", path + "/foo", bad.status_code != 200, f"{bad.status_code}")

        # "SHOULD tolerate trailing slashes ... the resolver SHOULD NOT fail if one is present"
        a, b = self.get(path.rstrip("/"), "HEAD"), self.get(path.rstrip("/") + "/", "HEAD")
        if a is not None and b is not None:
            seen = [(x.status_code, x.headers.get("Location")) for x in (a, b)]
            self.row(
                "trailingSlash", path + "/", seen[0] == seen[1], f"{seen[0]} vs with /: {seen[1]}", "WARN"
            )

        # "By default, SHALL pass on all key=value pairs in the query string of the request URI"
        qs = self.get(path + "?foo=bar")
        if qs is not None:
            location = qs.headers.get("Location", "")
            redirected = 300 <= qs.status_code < 400
            ok = ("foo=bar" in location.split("#", 1)[0]) if redirected else "WARN"
            self.row("qsPassedOn", path + "?foo=bar", ok, f"{qs.status_code} Location {location!r}")

        linkset = self.fetch_linkset(path)
        if linkset is not None:
            self.linkset_content(path, levels, linkset, plain)

        # "If the requested type of link is not available, the resolver SHALL return a 404 Not Found message."
        uri = path + "?linkType=gs1:nosuchlt"
        r = self.get(uri)
        if r is not None:
            self.row("specificLinkTypeNotFound", uri, r.status_code == 404, f"{r.status_code}")

    def fetch_linkset(self, path):
        """'On receiving a request for the linkset, by setting the linkType parameter to linkset [or] by setting
        the HTTP Accept header to application/linkset+json, the resolver SHALL NOT redirect the query and SHALL
        return the linkset.' Returns the parsed linkset (the Accept one preferred) or None."""
        bodies = {}
        for check, query, accept in (
            ("ltLinksetNoRedirect", "?linkType=linkset", "*/*"),
            ("ltAcceptHeader", "", LINKSET_TYPE),
        ):
            r = self.get(path + query, headers={"Accept": accept})
            if r is not None and 300 <= r.status_code < 400:
                target = urlsplit(r.headers.get("Location", "")).path
                if target and path.startswith(target):
                    # the suite follows one redirect to a less granular DL URI and deems it acceptable
                    self.row(check, path + query, "WARN", f"{r.status_code} to {target}, followed")
                    r = self.get(target + query, headers={"Accept": accept})
            code = getattr(r, "status_code", "no answer")
            self.row(check, path + query, code == 200, f"{code}")
            if code != 200:
                continue
            # "If the HTTP Accept header is application/linkset+json, the resolver SHALL return the linkset
            # serialised as JSON as defined by RFC9264" - the suite compares the whole Content-Type value
            # (application/json only gets a warning).
            ctype = r.headers.get("Content-Type", "")
            ok = ctype == LINKSET_TYPE or ("WARN" if ctype.startswith("application/json") else False)
            self.row("declaredContentType", path + query, ok, f"Content-Type {ctype!r}")
            # "the resolver SHOULD include an HTTP Link header pointing to a JSON-LD context file with a rel type
            # of http://www.w3.org/ns/json-ld#context" (the suite also wants type="application/ld+json")
            ctx = [(t, a.get("type")) for t, a in link_header(r) if a.get("rel") == JSONLD_CONTEXT_REL]
            typed = [t for t, media in ctx if media == "application/ld+json"]
            self.row("linksetJsonldCheck", path + query, bool(typed), f"context links {ctx}", "WARN")
            try:
                bodies[check] = r.json()
            except ValueError:
                self.row("validLinkset", path + query, False, "body is not JSON")
                continue
            # "Linkset must be valid according to published JSON schema" (a critical failure in the suite)
            errors = schema_errors(LINKSET_SCHEMA, bodies[check])
            self.row("validLinkset", path + query, not errors, "; ".join(errors[:4]) or "valid (1.2.1)")
        if len(bodies) == 2 and bodies["ltLinksetNoRedirect"] != bodies["ltAcceptHeader"]:
            self.row("linksetSame", path, "WARN", "linkType=linkset and Accept give different linksets")
        return bodies.get("ltAcceptHeader", bodies.get("ltLinksetNoRedirect"))

    def linkset_content(self, path, levels, linkset, plain):
        entries = linkset.get("linkset", []) if isinstance(linkset, dict) else []
        entries = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
        by_anchor = {e.get("anchor"): e for e in entries}
        # The suite looks for linkset[i].anchor === the request URI without query, then strips two segments
        # at a time: "If the request GS1 Digital Link URI includes one or more key qualifiers, any links
        # associated with each level up to the primary key SHALL be included in the linkset."
        anchors = sorted(map(str, by_anchor))
        self.row("anchorMatch", path, levels[0] in by_anchor, f"wanted {levels[0]}, anchors {anchors}")
        effective = {}  # link type (as gs1: CURIE) -> links, taken at the most granular level that has it
        for level in levels:
            entry = by_anchor.get(level)
            shown = level[len(self.canonical) :]
            self.row(
                "walkUpLevel", shown, entry is not None, "entry present" if entry else "no entry", "WARN"
            )
            for key, value in link_types_of(entry or {}).items():
                effective.setdefault(curie(key), value)
        if any("description" in e for e in entries):
            self.row(
                "descriptionKey",
                path,
                "WARN",
                "GS1's hosted suite skips only anchor/itemDescription and "
                "tests 'description' as a link type (a spurious loFordescription warning)",
            )
        self.link_metadata(path, entries)

        # "For each identified entity there SHALL be exactly one default link ... This default is defined
        # without any of the optional attributes, that is, it SHALL include a title, but SHALL NOT include
        # other attributes." and "Links that are typed gs1:defaultLink ... SHALL also be described using a
        # descriptive link type"
        for entry in entries:
            types = {curie(k): v for k, v in link_types_of(entry).items()}
            if "gs1:defaultLink" not in types:
                continue
            value, anchor = types["gs1:defaultLink"], str(entry.get("anchor"))[len(self.canonical) :]
            single = len(value) == 1 and set(value[0]) == {"href", "title"}
            self.row("singleDefaultLink", anchor, single, json.dumps(value, ensure_ascii=False)[:160])
            href = value[0].get("href") if value else None
            others = [lk for k, v in types.items() if k not in DEFAULTS for lk in v]
            described = href in {lk.get("href") for lk in others}
            self.row(
                "defaultDescribed", anchor, described, f"{href} also under a descriptive type: {described}"
            )

        # "For any request URI, no matter how granular, there SHALL be a default link at the entry level or
        # higher up the tree" and "SHALL redirect to the default link unless there is information supplied in
        # the request that can be used to make a better match" (the suite compares Location and href exactly)
        default = (effective.get("gs1:defaultLink") or [{}])[0].get("href")
        self.row("defaultLinkExists", path, default is not None, f"default {default}")
        if default is not None:
            location, code = plain.headers.get("Location"), plain.status_code
            ok = location == default and (code == 307 or "WARN")  # 301/302/303/308 accepted, 307 preferred
            self.row("defaultTarget", path, ok, f"{code} Location {location!r}, default {default}")
        self.link_type_redirects(path, effective)

    def link_metadata(self, path, entries):
        """'All links in the linkset SHALL include the target URL, the link type and a link title, and SHOULD
        include the human language(s).' / 'If a media type is defined for a link, it SHALL be one defined by
        IANA' (only its top-level type is checked) / 'Link types SHOULD be given as a URI defined in the GS1
        Web vocabulary' (the suite checks gs1: types against ref.gs1.org/voc/data/linktypes; it warns)."""
        missing, no_lang, bad_types, unknown, deprecated, namespaces = [], 0, [], set(), set(), set()
        for entry in entries:
            for key, links in link_types_of(entry).items():
                name = curie(key)
                if "/voc/" in key and "gs1.org" in key.lower():
                    namespaces.add(key[: key.index("/voc/") + 5])
                if name.startswith("gs1:") and name[4:] not in RATIFIED:
                    unknown.add(name)
                elif name.startswith("gs1:") and RATIFIED[name[4:]].get("status") == "deprecated":
                    deprecated.add(name)
                for link in links:
                    if not (link.get("href") and link.get("title")):
                        missing.append(f"{name}: {link}")
                    no_lang += name not in DEFAULTS and not link.get("hreflang")
                    if str(link.get("type", "text/x")).split("/")[0].lower() not in IANA_TOP_LEVEL:
                        bad_types.append(link.get("type"))
        self.row("linkMetadata", path, not missing, f"links without href or title: {missing[:3]}")
        self.row("linkLanguage", path, not no_lang, f"{no_lang} links without hreflang", "WARN")
        self.row("linkMediaType", path, not bad_types, f"non-IANA media types: {bad_types[:5]}")
        self.row("linkTypesDefined", path, not unknown, f"not ratified in Web Voc 1.18: {sorted(unknown)}")
        self.row("linkTypesDeprecated", path, not deprecated, f"deprecated: {sorted(deprecated)}", "WARN")
        one_https = len(namespaces) <= 1 and not any(ns.lower().startswith("http:") for ns in namespaces)
        self.row("linkTypeNamespace", path, one_https, f"GS1 namespaces used: {sorted(namespaces)}", "WARN")

    def link_type_redirects(self, path, effective):
        """'If the requested type of link is available, the resolver SHALL redirect to it.' For a type with
        several links the suite adds lang/mediaType/context; links it cannot tell apart should give 300."""
        for name, links in sorted(effective.items()):
            if name in DEFAULTS:
                continue
            base = f"{path}?linkType={quote(name, safe=':/')}"
            if len(links) == 1:
                self.expect_redirect(
                    f"loFor{name.replace(':', '')}", base, self.get(base), links[0].get("href"), "FAIL"
                )
                continue
            key = [json.dumps([lk.get("type"), lk.get("hreflang"), lk.get("context")]) for lk in links]
            for i, link in enumerate(links):
                if key[i] in key[:i]:
                    continue
                query, headers = "", {"Accept": link.get("type") or "*/*"}
                if link.get("type"):
                    query += "&mediaType=" + quote(str(link["type"]), safe="/")
                if link.get("hreflang"):
                    lang = str(
                        link["hreflang"][0] if isinstance(link["hreflang"], list) else link["hreflang"]
                    )
                    query += "&lang=" + quote(lang)
                    headers["Accept-Language"] = lang
                if link.get("context"):
                    context = link["context"][0] if isinstance(link["context"], list) else link["context"]
                    query += "&context=" + quote(str(context))
                r = self.get(base + query, headers=headers)
                if key.count(key[i]) > 1:
                    # "Where it is impossible to determine which of multiple links ... is the best match, the
                    # resolver should return ... an HTTP response code of 300 Multiple Choices."
                    code = getattr(r, "status_code", None)
                    self.row(
                        f"loFor{name.replace(':', '')}{i}",
                        base + query,
                        code == 300,
                        f"{code} (identical attributes)",
                        "WARN",
                    )
                else:
                    self.expect_redirect(
                        f"loFor{name.replace(':', '')}{i}", base + query, r, link.get("href"), "WARN"
                    )

    def expect_redirect(self, check, uri, r, href, level):
        if r is None:
            return self.row(check, uri, False, "no answer")
        location = r.headers.get("Location", "")
        ok = 300 <= r.status_code < 400 and strip_query(location) == strip_query(href)
        self.row(check, uri, ok, f"{r.status_code} Location {location!r}, link {href}", level)

    def browser(self, path):
        r = self.get(path, headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
        if r is not None:
            ctype, location = r.headers.get("Content-Type", ""), r.headers.get("Location")
            self.row("acceptHtml", path, "INFO", f"{r.status_code} {ctype} Location {location}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="where requests go, e.g. https://127.0.0.1:8443")
    parser.add_argument("dls", nargs="+", metavar="DL", help="GS1 Digital Link URIs or their paths")
    parser.add_argument("--canonical", help="origin the resolver uses in anchors (default: see above)")
    parser.add_argument("--insecure", action="store_true", help="skip TLS verification (self-signed cert)")
    parser.add_argument("--accept-html", action="store_true", help="also show what Accept: text/html gets")
    parser.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")
    parser.add_argument("--timeout", type=float, default=15.0)
    args = parser.parse_args()
    if args.insecure:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    paths = [strip_query(urlsplit(dl).path or "/") for dl in args.dls]
    origins = {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, args.dls) if p.scheme}
    canonical = (args.canonical or (origins.pop() if len(origins) == 1 else args.base_url)).rstrip("/")
    checker = Checker(args.base_url, canonical, args.insecure, args.timeout)
    checker.description_file({next((s for s in p.split("/") if s in PRIMARY_KEYS), "?") for p in paths})
    for path in paths:
        checker.check(path)
        if args.accept_html:
            checker.browser(path)
    checker.row("no5xx", "*", not checker.server_errors, "; ".join(checker.server_errors[:5]) or "none")

    width, uri_width = (min(60, max(len(r[i]) for r in checker.rows)) for i in (0, 1))
    for check, uri, status, detail in checker.rows:
        print(f"{check:<{width}}  {uri:<{uri_width}}  {status:<4}  {detail}")
    counts = {s: sum(r[2] == s for r in checker.rows) for s in ("PASS", "WARN", "FAIL")}
    print(
        f"\n{counts['PASS']} passed, {counts['WARN']} warnings, {counts['FAIL']} failed (canonical {canonical})"
    )
    return 1 if counts["FAIL"] or (args.strict and counts["WARN"]) else 0


if __name__ == "__main__":
    sys.exit(main())
