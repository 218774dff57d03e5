"""A SmallCity with a moral bank in each community, rules, a holder, an outlet and its clerk."""

from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from chuangwen.volunteers.moral import codes, services
from chuangwen.volunteers.moral.choices import HolderMode, RuleKind
from tests import factories
from tests.factories import SmallCity


class MoralCity:
    def __init__(self, sc: SmallCity, mode: str = HolderMode.PERSON) -> None:
        self.sc = sc
        self.city = sc.city
        services.configure_moral_bank(
            sc.city, holder_mode=mode, points_per_hour="2", points_per_report=3, notice_days=5,
            acting_user=SYSTEM,
        )  # fmt: skip
        self.bank_a = services.create_bank(sc.community_a, acting_user=SYSTEM)
        self.bank_b = services.create_bank(sc.community_b, acting_user=SYSTEM)
        self.earn = services.create_rule(
            sc.city, kind=RuleKind.EARN, code="J01", name="拾金不昧", points=20, acting_user=SYSTEM
        )
        self.deduct = services.create_rule(
            sc.city, kind=RuleKind.DEDUCT, code="K01", name="乱扔垃圾", points=5,
            acting_user=SYSTEM,
        )  # fmt: skip
        self.holder = sc.citizen  # a citizen of community A
        self.community_staff_a = factories.person(
            sc.city, sc.community_a, Role.UNIT_LIAISON, name="甲社区干部"
        )
        self.council_a = factories.person(sc.city, sc.community_a, Role.CITIZEN, name="评议员")
        services.add_council_member(self.bank_a, self.council_a, acting_user=SYSTEM)
        self.outlet = services.create_outlet(
            self.bank_a, name="爱心超市", address="幸福路 1 号", acting_user=SYSTEM
        )
        self.clerk = factories.person(sc.city, sc.community_a, Role.CITIZEN, name="店员")
        services.add_outlet_member(self.outlet, self.clerk, acting_user=SYSTEM)
        if mode == HolderMode.PERSON:
            self.account = services.open_account(self.bank_a, self.holder, acting_user=SYSTEM)

    def fund(self, points_hours: str = "50", ref: str = "sr:1"):
        """Credit hours (2 points per hour) to the holder."""
        return services.earn_points_for_hours(self.holder, points_hours, ref, acting_user=SYSTEM)

    def code(self, account=None) -> str:
        account = account or self.account
        account.refresh_from_db()
        return codes.make_code(account.pk, account.code_version)
