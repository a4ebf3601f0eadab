package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/service"
)

// createTokenRequest is the body of POST /api/tokens. expires_in is seconds
// (a number) or a string such as "90d" or "720h"; expires_at an RFC 3339
// time. With neither the token expires after 90 days.
type createTokenRequest struct {
	Name      string     `json:"name"`
	ExpiresIn any        `json:"expires_in"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// createToken creates another token for the caller's team and shows it once.
func (s *Server) createToken(c *gin.Context) {
	var req createTokenRequest
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			fail(c, err)
			return
		}
	}
	tok, err := s.svc.CreateAPIToken(c, teamID(c), service.TokenRequest{Name: req.Name, ExpiresIn: req.ExpiresIn, ExpiresAt: req.ExpiresAt})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, tok)
}

// listTokens lists the team's tokens: names, prefixes and dates, never a
// token or its hash.
func (s *Server) listTokens(c *gin.Context) {
	list, err := s.svc.ListTokens(c, teamID(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"tokens": list})
}

// revokeToken deletes one of the team's tokens. Revoking the token the
// request was made with works; that token is refused from the next request on.
func (s *Server) revokeToken(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.svc.RevokeToken(c, teamID(c), id); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "revoked": true})
}
