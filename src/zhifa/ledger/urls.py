from django.urls import path

from zhifa.ledger import uploads

app_name = "ledger"

urlpatterns = [
    path("", uploads.uploads, name="uploads"),
    path("<uuid:upload_id>", uploads.upload, name="upload"),
]
