from fastapi import APIRouter

from backend.api.routes import (
    accounts,
    analytics,
    approvals,
    assist,
    audit,
    cashier,
    conversations,
    district,
    email,
    leak_alerts,
    login,
    mail,
    outages,
    payments,
    policies,
    queue,
    ratings,
    reps,
    service_orders,
    utils,
    verification,
    work_orders,
)

api_router = APIRouter()
api_router.include_router(utils.router)
api_router.include_router(district.router)
api_router.include_router(verification.router)
api_router.include_router(accounts.router)
api_router.include_router(policies.router)
api_router.include_router(payments.router)
api_router.include_router(service_orders.router)
api_router.include_router(work_orders.router)
api_router.include_router(outages.router)
api_router.include_router(conversations.router)
api_router.include_router(email.router)
api_router.include_router(login.router)
api_router.include_router(reps.router)
api_router.include_router(queue.router)
api_router.include_router(assist.router)
api_router.include_router(approvals.router)
api_router.include_router(mail.router)
api_router.include_router(audit.router)
api_router.include_router(leak_alerts.router)
api_router.include_router(cashier.router)
api_router.include_router(analytics.router)
api_router.include_router(ratings.router)
