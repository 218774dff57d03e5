"""URL patterns of part B, included in the volunteers app's urls under ``bank/``, ``models/``
and ``selections/``."""

from django.urls import path

from . import views_bank as bank
from . import views_honours as honours
from . import views_selections as selections

urlpatterns = [
    # moral bank
    path("bank/", bank.bank_list, name="banks"),
    path("bank/new/", bank.bank_create, name="bank_create"),
    path("bank/settings/", bank.bank_settings, name="bank_settings"),
    path("bank/transactions/", bank.transaction_list, name="bank_transactions"),
    path("bank/deeds/", bank.deed_list, name="deeds"),
    path("bank/deeds/<int:pk>/<str:action>/", bank.deed_action, name="deed_action"),
    path("bank/accounts/<int:pk>/", bank.account_detail, name="account"),
    path("bank/accounts/<int:pk>/<str:action>/", bank.account_action, name="account_action"),
    path("bank/me/", bank.my_bank, name="my_bank"),
    path("bank/me/code/<int:pk>/", bank.my_code, name="my_code"),
    path("bank/me/code/<int:pk>/reset/", bank.my_code_reset, name="my_code_reset"),
    path("bank/outlet/", bank.outlet_page, name="outlet"),
    path("bank/outlet/<int:pk>/", bank.outlet_page, name="outlet_for"),
    path("bank/outlet/<int:pk>/receipt/<int:txn>/", bank.outlet_receipt, name="outlet_receipt"),
    path("bank/<int:pk>/", bank.bank_detail, name="bank"),
    path("bank/<int:pk>/statement/", bank.statement, name="bank_statement"),
    path("bank/<int:pk>/<str:action>/", bank.bank_action, name="bank_action"),
    # moral models and good people
    path("models/", honours.honour_list, name="honours"),
    path("models/new/", honours.honour_create, name="honour_create"),
    path("models/objections/<int:pk>/", honours.objection_handle, name="objection_handle"),
    path("models/<int:pk>/", honours.honour_detail, name="honour"),
    path("models/<int:pk>/<str:action>/", honours.honour_action, name="honour_action"),
    path("models/public/<str:city_code>/", honours.public_board, name="public_board"),
    path("models/public/<str:city_code>/notice/", honours.public_notice, name="public_notice"),
    path(
        "models/public/<str:city_code>/nominate/", honours.public_nominate, name="public_nominate"
    ),
    path("models/public/<str:city_code>/<int:pk>/", honours.public_honour, name="public_honour"),
    path(
        "models/public/<str:city_code>/<int:pk>/photo/",
        honours.public_photo,
        name="public_honour_photo",
    ),
    # civility selections
    path("selections/", selections.selection_list, name="selections"),
    path("selections/kinds/", selections.selection_kinds, name="selection_kinds"),
    path("selections/new/", selections.selection_apply, name="selection_apply"),
    path("selections/proposals/", selections.proposal_list, name="proposals"),
    path("selections/proposals/<int:pk>/", selections.proposal_decide, name="proposal_decide"),
    path("selections/<int:pk>/", selections.selection_detail, name="selection"),
    path("selections/<int:pk>/<str:action>/", selections.selection_action, name="selection_action"),
]
