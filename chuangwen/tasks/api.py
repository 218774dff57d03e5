from ninja import Router

router = Router(tags=["任务分解"])
