"""Room sockets' database calls (database_sync_to_async) take a pooled connection and give it back:
more sockets than the pool has connections all join and chat, and none is kept afterwards."""

import pytest
from django.conf import settings
from django.db import connections

from core.db import pool_stats
from livestream.models import ChatMessage
from tests.factories import UserFactory

from .conftest import receive, send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.integration,
    pytest.mark.skipif(
        not (settings.USING_POSTGRES and settings.DB_POOL), reason="the connection pool is PostgreSQL's (services mode)"
    ),
]


def test_more_sockets_than_pooled_connections_join_chat_and_give_every_connection_back(live, room):
    bound = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    people = UserFactory.create_batch(bound + 3)

    async def scenario(sockets):
        joined = [(await sockets.join(room, person))[0] for person in people]  # all open at once
        for number, socket in enumerate(joined):
            await send(socket, {"type": "chat.send", "text": f"hello {number}", "client_id": f"c{number}"})
            while (await receive(socket)).get("client_id") != f"c{number}":
                pass

    live(scenario)
    assert ChatMessage.objects.filter(room=room).count() == len(people)
    connections["default"].close()  # the test's own connection goes back too
    stats = pool_stats()
    assert stats["in_use"] == 0, stats
    assert stats["pool_size"] <= bound, stats
