import datetime as dt

import factory
from allauth.account.models import EmailAddress

from accounts.models import Organisation, User
from events.models import Event, EventRole, Role

DEFAULT_PASSWORD = "Str0ng-pass-phrase!"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name_zh = factory.Sequence(lambda n: f"机构{n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.UNIVERSITY
    country = "DE"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name_zh = factory.Sequence(lambda n: f"用户{n}")
    name_en = factory.Sequence(lambda n: f"Person {n}")
    country = "CN"
    language = "zh-hans"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = Event.Kind.CONTEST
    title_zh = factory.Sequence(lambda n: f"创新大赛{n}")
    title_en = factory.Sequence(lambda n: f"Innovation Contest {n}")
    description_zh = "大赛介绍"
    description_en = "About the contest"
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2026, 12, 20)
    is_published = True


class EventRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRole

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ORGANISER
