"""A photo upload cut off half-way, or a server killed while saving one, leaves no orphan file and no row."""
import io
import os
import socket
import time
import uuid

import pytest
from PIL import Image

from app.core.models import Photo
from tests import factories
from tests.ops.live import Browser, Server, kill_in_the_middle


def noisy_jpeg():
    """A camera-like photo of a few hundred kilobytes (noise does not compress)."""
    buf = io.BytesIO()
    Image.effect_noise((900, 700), 90).convert('RGB').save(buf, 'JPEG', quality=95)
    return buf.getvalue()


def multipart(field, filename, data):
    boundary = uuid.uuid4().hex
    body = (('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
             'Content-Type: image/jpeg\r\n\r\n' % (boundary, field, filename)).encode()
            + data + ('\r\n--%s--\r\n' % boundary).encode())
    return 'multipart/form-data; boundary=%s' % boundary, body


def raw_post(server, path, cookie, content_type, body, send=None):
    """POST over a plain socket; `send` bytes of the body only, then the connection is dropped (a phone
    leaving the Wi-Fi). Returns the status line of a complete request, None for a cut one."""
    head = ('POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n'
            'HX-Request: true\r\nConnection: close\r\n\r\n' % (path, server.port, cookie, content_type, len(body)))
    with socket.create_connection(('127.0.0.1', server.port), timeout=30) as sock:
        sock.sendall(head.encode())
        if send is not None:
            sock.sendall(body[:send])
            time.sleep(0.3)
            return None
        sock.sendall(body)
        status = sock.makefile('rb').readline().decode()
    if not status:
        raise ConnectionResetError('the server closed the connection without an answer')
    return status


def session_cookie(browser):
    return '; '.join('%s=%s' % (c.name, c.value) for c in browser.jar)


def photo_files(app):
    folder = os.path.join(app.instance_path, 'photos')
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


@pytest.fixture
def draft(shop, make_user):
    advisor = make_user('amy', ['advisor'])
    return factories.make_checkin(shop, advisor)


@pytest.fixture
def server(app, database_url, tmp_path):
    srv = Server(database_url, app.instance_path, str(tmp_path / 'server.log'))
    yield srv
    srv.stop()


def test_upload_cut_off_half_way_leaves_nothing_and_the_next_one_works(app, draft, server):
    """A walk-around photo whose upload breaks off leaves no file and no row; sent again whole, it is saved once."""
    server.start()
    browser = Browser(server.base).login('amy', factories.PASSWORD)
    path = '/checkin/%d/marks/%d/photos' % (draft['draft_id'], draft['mark_id'])
    content_type, body = multipart('photo', 'damage.jpg', noisy_jpeg())
    rows, files = Photo.select().count(), photo_files(app)

    raw_post(server, path, session_cookie(browser), content_type, body, send=len(body) // 2)
    time.sleep(0.5)
    assert Photo.select().count() == rows
    assert photo_files(app) == files, 'a cut-off upload left a file behind'
    assert 'Traceback' not in server.log()

    status = raw_post(server, path, session_cookie(browser), content_type, body)
    assert ' 200 ' in status, status
    assert Photo.select().count() == rows + 1
    assert len(photo_files(app) - files) == 1


def test_server_killed_while_saving_a_photo_leaves_no_orphan_after_the_sweep(app, draft, server, runner, tmp_path):
    """A photo saved by a server that died before recording it is swept away; the retry stores it once."""
    server.start()
    browser = Browser(server.base).login('amy', factories.PASSWORD)
    server.stop()
    path = '/checkin/%d/marks/%d/photos' % (draft['draft_id'], draft['mark_id'])
    content_type, body = multipart('photo', 'damage.jpg', noisy_jpeg())
    rows, files = Photo.select().count(), photo_files(app)

    kill_in_the_middle(server, tmp_path, 'checkin.photo_added',
                       lambda: raw_post(server, path, session_cookie(browser), content_type, body))
    assert Photo.select().count() == rows, 'a row was written by the dead request'
    orphans = photo_files(app) - files
    assert len(orphans) == 1, 'the file written before the transaction is expected here: %s' % orphans

    result = runner.invoke(args=['photos-sweep', '--min-age', '0'])
    assert result.exit_code == 0, result.output
    assert photo_files(app) == files, result.output
    assert 'removed 1 orphan file' in result.output

    status = raw_post(server, path, session_cookie(browser), content_type, body)
    assert ' 200 ' in status, status
    assert Photo.select().count() == rows + 1
    new = photo_files(app) - files
    assert new == {Photo.select().order_by(Photo.id.desc()).get().filename}
