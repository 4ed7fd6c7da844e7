"""Sauti's reference offline client: exactly what the iOS and Android apps must do for downloads.

It is small on purpose and reads top to bottom as the protocol (docs/offline-downloads.md):

1. ``device``: make a P-256 key pair once (on a phone: in the Secure Enclave / Android Keystore)
   and register its public half.
2. ``OfflineClient.download``: ask for a download, unseal the content key (a JWE only this device's
   private key opens), fetch the audio from the signed link, encrypt it to disk in authenticated
   chunks (``vault``), keep key and license in secure storage (``keystore``).
3. ``OfflineClient.play``: check the license offline against the published keys (``license``), then
   decrypt chunk by chunk.
4. ``OfflineClient.record_play``: note each offline play (with its own uuid) in the ``journal``.
5. ``OfflineClient.sync``: on reconnect, upload the recorded plays (``POST /me/offline-plays``), then
   report the key ids held; wipe what the server says to wipe.

``python -m sauti_offline`` (``cli``) drives the same steps from a shell against ``make dev``.
"""
