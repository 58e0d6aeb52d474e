"""Role, permission, certificate and account changes go to the audit log; deactivation ends sessions."""

import time

from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from wuding_enforcement.audit.api import record

from .models import Certificate, LegalQualification, LoginSession, Staff
from .otp import OTP_ENROLLED_SESSION_KEY, has_confirmed_device


@receiver(m2m_changed, sender=Staff.groups.through, dispatch_uid="roster_roles_changed")
def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # group.user_set.add(...): instance is the group
        names = [instance.name]
        users = list(Staff.objects.filter(pk__in=pk_set or []))
    else:
        names = sorted(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
        users = [instance]
    for user in users:
        user.__dict__.pop("role_names", None)
        record(f"roster.roles.{action.split('_')[1]}", obj=user, detail={"roles": names})


@receiver(m2m_changed, sender=Staff.user_permissions.through, dispatch_uid="roster_perms_changed")
def _permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and not reverse:
        record(
            f"roster.permissions.{action.split('_')[1]}",
            obj=instance,
            detail={"permission_ids": sorted(pk_set or [])},
        )


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="roster_group_perms_changed")
def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and not reverse:
        record(
            f"roster.group_permissions.{action.split('_')[1]}",
            obj=instance,
            detail={"permission_ids": sorted(pk_set or [])},
        )


@receiver(post_save, sender=Certificate, dispatch_uid="roster_certificate_saved")
def _certificate_saved(sender, instance, created, **kwargs):
    record(
        "roster.certificate.created" if created else "roster.certificate.changed",
        obj=instance,
        detail={"status": instance.status, "expires_on": instance.expires_on.isoformat()},
    )


@receiver(post_save, sender=LegalQualification, dispatch_uid="roster_qualification_saved")
def _qualification_saved(sender, instance, created, **kwargs):
    record("roster.qualification.created" if created else "roster.qualification.changed", obj=instance)


@receiver(pre_save, sender=Staff, dispatch_uid="roster_staff_deactivated")
def _remember_active(sender, instance, **kwargs):
    if instance.pk:
        previous = Staff.objects.filter(pk=instance.pk).values("is_active", "is_superuser").first()
        instance._was_active = previous["is_active"] if previous else True
        instance._was_superuser = previous["is_superuser"] if previous else False


@receiver(post_save, sender=Staff, dispatch_uid="roster_staff_saved")
def _staff_saved(sender, instance, created, **kwargs):
    if created:
        record("roster.staff.created", obj=instance)
        return
    if getattr(instance, "_was_active", True) and not instance.is_active:
        end_sessions(instance)
        record("roster.staff.deactivated", obj=instance)
    elif not getattr(instance, "_was_active", True) and instance.is_active:
        record("roster.staff.reactivated", obj=instance)
    if getattr(instance, "_was_superuser", False) != instance.is_superuser:
        record("roster.staff.superuser_changed", obj=instance, detail={"is_superuser": instance.is_superuser})


def end_sessions(user) -> int:
    keys = list(LoginSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    LoginSession.objects.filter(user=user).delete()
    return len(keys)


def remember_session(request, user) -> None:
    """Note which session key belongs to `user` (end_sessions needs it); call again whenever the key cycles."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if not session.session_key:
        session.save()
    LoginSession.objects.update_or_create(session_key=session.session_key, defaults={"user": user})


@receiver(user_logged_in, dispatch_uid="roster_remember_session")
def _remember_session(sender, request, user, **kwargs):
    if getattr(request, "session", None) is None:
        return
    # django.contrib.auth.login() has already cycled the key: this is the new session's key.
    now = int(time.time())
    request.session["login_at"] = now
    request.session["last_seen"] = now
    # Someone who enrolled a device although the role does not require it is asked for it too
    # (AccountSecurityMiddleware); looked up once here rather than on every request.
    request.session[OTP_ENROLLED_SESSION_KEY] = has_confirmed_device(user)
    remember_session(request, user)


@receiver(user_logged_out, dispatch_uid="roster_forget_session")
def _forget_session(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        LoginSession.objects.filter(session_key=session.session_key).delete()
