"""The SSRF guard: only https URLs whose host resolves to public addresses only, checked
when an endpoint is saved and again at every delivery, which then connects to the very
address it checked (TLS's SNI, the certificate's name and Host stay the host's)."""

from __future__ import annotations

import ssl
import subprocess
import threading
from http.server import ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from tests.factories import ProgramFactory
from tests.webhooks.conftest import PUBLIC_V4, PUBLIC_V6, Receiver, _handler
from webhooks import network, tasks
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

REFUSED = [
    ("http://hooks.example.org/in", "https://"),
    ("ftp://hooks.example.org/in", "https://"),
    ("https://user:secret@hooks.example.org/in", "user name"),
    ("https://127.0.0.1/in", "127.0.0.1"),
    ("https://127.8.9.10/in", "127.8.9.10"),
    ("https://10.0.0.8/in", "10.0.0.8"),
    ("https://172.16.5.4/in", "172.16.5.4"),
    ("https://192.168.1.1/in", "192.168.1.1"),
    ("https://100.64.0.1/in", "100.64.0.1"),
    ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),
    ("https://0.0.0.0/in", "0.0.0.0"),  # noqa: S104 - the address under test
    ("https://224.0.0.1/in", "224.0.0.1"),
    ("https://240.0.0.1/in", "240.0.0.1"),
    ("https://[::1]/in", "::1"),
    ("https://[::]/in", "::"),
    ("https://[::ffff:127.0.0.1]/in", "::ffff:127.0.0.1"),
    ("https://[::ffff:10.0.0.1]/in", "::ffff:10.0.0.1"),
    ("https://[fe80::1]/in", "fe80::1"),
    ("https://[fc00::1]/in", "fc00::1"),
    ("https://[ff02::1]/in", "ff02::1"),
    ("https://[2002:7f00:1::1]/in", "2002:7f00:1::1"),  # 6to4 around 127.0.0.1
    ("https://[64:ff9b::a9fe:a9fe]/in", "64:ff9b::a9fe:a9fe"),  # NAT64 around metadata
    ("https://internal.example.org/in", "10.1.2.3"),
    ("https://v6-private.example.org/in", "fd00::1"),
    ("https://metadata.example.org/in", "169.254.169.254"),
    ("https://mixed.example.org/in", "127.0.0.1"),  # one private answer is enough
    ("https://nowhere.example.org/in", "could not be found"),
]


@pytest.mark.parametrize(("url", "why"), REFUSED, ids=[u for u, _ in REFUSED])
def test_an_endpoint_with_a_non_public_url_cannot_be_saved(dns, url, why):
    endpoint = Endpoint(program=ProgramFactory(), name="x", url=url, events=["connection.created"])
    with pytest.raises(ValidationError) as refused:
        endpoint.full_clean()
    assert why in " ".join(refused.value.message_dict["url"])


@pytest.mark.parametrize(("url", "why"), REFUSED, ids=[u for u, _ in REFUSED])
def test_a_non_public_url_is_refused_again_at_delivery_and_nothing_is_sent(
    dns, url, why, make_endpoint, monkeypatch
):
    connected = []
    monkeypatch.setattr(network._PinnedHTTPConnection, "_open_socket", connected.append)
    endpoint = make_endpoint(url=url)  # stored as if it had been fine when saved
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_id="evt_1", event_type="connection.created", payload={}
    )
    assert tasks._deliver(delivery.pk) == "failed"  # no retry: it cannot get better
    delivery.refresh_from_db()
    assert "private-network guard" in delivery.last_error and why in delivery.last_error
    assert connected == []


def test_a_public_https_url_is_accepted(dns):
    Endpoint(
        program=ProgramFactory(),
        name="x",
        url="https://hooks.example.org/in",
        events=["connection.created"],
    ).full_clean()
    target = network.resolve("https://hooks.example.org:8443/in?k=v")
    assert (target.host, target.port, target.path) == ("hooks.example.org", 8443, "/in?k=v")
    assert [sockaddr[0] for _family, sockaddr in target.addresses] == [PUBLIC_V4, PUBLIC_V6]


def test_a_host_that_was_public_when_saved_and_is_private_now_is_refused(
    dns, make_endpoint, connected_nowhere
):
    dns.table["rebinding.example.org"] = [[PUBLIC_V4], ["127.0.0.1"]]
    Endpoint(
        program=ProgramFactory(),
        name="x",
        url="https://rebinding.example.org/",
        events=["connection.created"],
    ).full_clean()  # the first answer: public
    endpoint = make_endpoint(url="https://rebinding.example.org/")
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_id="evt_2", event_type="connection.created", payload={}
    )
    assert tasks._deliver(delivery.pk) == "failed"
    assert connected_nowhere == []


@pytest.fixture
def connected_nowhere(monkeypatch):
    connected = []
    monkeypatch.setattr(network._PinnedHTTPConnection, "_open_socket", connected.append)
    return connected


def test_the_setting_allows_http_and_private_addresses_for_local_receivers(dns, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    for url in ("http://127.0.0.1:8025/hooks", "https://internal.example.org/", "http://[::1]/"):
        Endpoint(
            program=ProgramFactory(), name="x", url=url, events=["follow_up.answered"]
        ).full_clean()
    with pytest.raises(network.UnsafeURL):
        network.resolve("ftp://127.0.0.1/")


def test_delivery_connects_to_the_address_it_checked_and_names_the_host(
    dns, receiver, make_endpoint, allow_private
):
    """One lookup per delivery: a second answer (DNS rebinding) is never used. The request
    goes to the checked address with Host naming the host."""
    dns.table["hooks.example.test"] = [["127.0.0.1"], ["10.255.255.1"]]
    url = f"http://hooks.example.test:{receiver.port}/hooks"
    endpoint = make_endpoint(url=url)
    delivery = Delivery.objects.create(
        endpoint=endpoint, event_id="evt_3", event_type="connection.created", payload={"a": 1}
    )
    assert tasks._deliver(delivery.pk) == "delivered"
    assert dns.calls == ["hooks.example.test"]
    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.example.test:{receiver.port}"


# --- https: SNI and the certificate are the host's, the socket goes to the checked address --


@pytest.fixture
def tls_receiver(tmp_path):
    """An https receiver on 127.0.0.1 with a self-signed certificate for
    hooks.example.test; it records the SNI name each client sent."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=hooks.example.test",
            "-addext",
            "subjectAltName=DNS:hooks.example.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    state = Receiver()
    state.sni = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: state.sni.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.cafile = str(cert)
    yield state
    server.shutdown()
    server.server_close()


def test_https_delivery_sends_sni_and_checks_the_certificate_for_the_host(
    dns, tls_receiver, make_endpoint, allow_private, monkeypatch
):
    monkeypatch.setattr(
        network, "tls_context", lambda: ssl.create_default_context(cafile=tls_receiver.cafile)
    )
    dns.table["hooks.example.test"] = [["127.0.0.1"]]
    dns.table["impostor.example.test"] = [["127.0.0.1"]]
    good = make_endpoint(url=f"https://hooks.example.test:{tls_receiver.port}/hooks")
    delivery = Delivery.objects.create(
        endpoint=good, event_id="evt_4", event_type="connection.created", payload={}
    )
    assert tasks._deliver(delivery.pk) == "delivered"
    assert tls_receiver.sni == ["hooks.example.test"]
    assert tls_receiver.requests[0].headers["host"] == f"hooks.example.test:{tls_receiver.port}"

    # The same server under a name its certificate does not carry: refused by TLS.
    wrong = make_endpoint(
        program=good.program, url=f"https://impostor.example.test:{tls_receiver.port}/hooks"
    )
    delivery = Delivery.objects.create(
        endpoint=wrong, event_id="evt_5", event_type="connection.created", payload={}
    )
    with pytest.raises(tasks._Retry):
        tasks._deliver(delivery.pk)
    delivery.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
    assert len(tls_receiver.requests) == 1


@pytest.mark.parametrize(
    ("events", "message"),
    [([], "cannot be blank"), (["connection.exploded"], "Unknown events: connection.exploded")],
)
def test_an_endpoint_needs_known_events(dns, events, message):
    endpoint = Endpoint(
        program=ProgramFactory(), name="x", url="https://hooks.example.org/in", events=events
    )
    with pytest.raises(ValidationError) as refused:
        endpoint.full_clean()
    assert list(refused.value.message_dict) == ["events"]
    assert message in refused.value.message_dict["events"][0]
