"""A web worker keeps its database connection between requests (CONN_MAX_AGE); when the server
restarts, or drops the connection, the next request must get a fresh connection, not an error."""

import pytest
from django.db import close_old_connections, connection


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL keeps connections")
@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_is_replaced_at_the_next_request():
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # the connection is kept between requests
    before = _backend_pid()
    # the server ends the worker's session (as a restart or an idle-connection killer does)
    killer = connection.get_new_connection(connection.get_connection_params())
    try:
        killer.autocommit = True
        killer.execute("SELECT pg_terminate_backend(%s)", [before])
    finally:
        killer.close()

    close_old_connections()  # what Django does when the next request starts
    after = _backend_pid()

    assert after != before
