/* sim_user: users acting on their mail — marking a message as spam or not spam (it moves to Junk
 * or Inbox, and the filter that judged it learns from the click), deleting a message or freeing
 * space, and asking their client to check mail now.
 *
 * Owns the scripted user actions. Does not own the mailboxes, the filter or the client's fetch
 * session. Private to sim/model.
 */
#ifndef MAILSIM_SIM_USER_H
#define MAILSIM_SIM_USER_H

#include "model/sim_core.h"

/* Carries out a user action (ACT_MARK_SPAM, ACT_MARK_NOT_SPAM, ACT_DELETE or ACT_FETCH) for the
 * user whose address is a->name. */
void user_act(Sim *sim, const Action *a);

#endif
